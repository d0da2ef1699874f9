import { describe, expect, it, vi } from 'vitest';
import { createTokenStore } from '../token-store';
import { createApi } from './client';

const user = {
  id: 1,
  name: 'Admin',
  username: 'admin',
  role: 'super_admin',
  permissions: [],
  isActive: true,
  mustChangePassword: false,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function pair(n: number) {
  return {
    accessToken: `access-${n}`,
    refreshToken: `refresh-${n}`,
    tokenType: 'Bearer',
    expiresIn: 900,
    mustChangePassword: false,
    user,
  };
}

/** A fake server whose valid access token is `access-<generation>`. */
function fakeServer(options: { refreshFails?: boolean } = {}) {
  let generation = 1;
  const calls: string[] = [];
  const fetch = vi.fn(async (request: Request) => {
    const path = new URL(request.url).pathname;
    const auth = request.headers.get('Authorization');
    calls.push(`${request.method} ${path} ${auth ?? '-'}`);
    if (path === '/api/auth/refresh') {
      const body = (await request.json()) as { refreshToken: string };
      if (options.refreshFails || body.refreshToken !== `refresh-${generation}`) {
        return json(401, { error: 'Invalid refresh token' });
      }
      generation += 1;
      return json(200, pair(generation));
    }
    if (auth !== `Bearer access-${generation}`) return json(401, { error: 'Not authenticated' });
    if (path === '/api/auth/me' && request.method === 'PUT') {
      const body = (await request.json()) as { name: string };
      return json(200, { user: { ...user, name: body.name } });
    }
    return json(200, { user });
  });
  return {
    fetch,
    calls,
    expire: () => {
      generation += 1;
    },
  };
}

describe('createApi', () => {
  it('sends the access token as a bearer token', async () => {
    const server = fakeServer();
    const tokens = createTokenStore(null);
    tokens.setTokens(pair(1));
    const api = createApi({ baseUrl: 'http://api.test', tokens, fetch: server.fetch });

    const { data } = await api.client.GET('/api/auth/me');
    expect(data?.user.username).toBe('admin');
    expect(server.calls).toEqual(['GET /api/auth/me Bearer access-1']);
  });

  it('refreshes once on a 401 and retries the call with its body', async () => {
    const server = fakeServer();
    const tokens = createTokenStore(null);
    tokens.setTokens({ accessToken: 'access-0', refreshToken: 'refresh-1' });
    const api = createApi({ baseUrl: 'http://api.test', tokens, fetch: server.fetch });

    const { data } = await api.client.PUT('/api/auth/me', { body: { name: 'Renamed' } });
    expect(data?.user.name).toBe('Renamed');
    expect(server.calls).toEqual([
      'PUT /api/auth/me Bearer access-0',
      'POST /api/auth/refresh -',
      'PUT /api/auth/me Bearer access-2',
    ]);
    expect(tokens.getAccessToken()).toBe('access-2');
    expect(tokens.getRefreshToken()).toBe('refresh-2');
  });

  it('shares one refresh between concurrent 401s', async () => {
    const server = fakeServer();
    const tokens = createTokenStore(null);
    server.expire(); // the server is at generation 2: access-1 is stale, refresh-2 is valid
    tokens.setTokens({ accessToken: 'access-1', refreshToken: 'refresh-2' });
    const api = createApi({ baseUrl: 'http://api.test', tokens, fetch: server.fetch });

    const results = await Promise.all([api.client.GET('/api/auth/me'), api.client.GET('/api/auth/me')]);
    expect(results.every((r) => r.response.ok)).toBe(true);
    expect(server.calls.filter((c) => c.startsWith('POST /api/auth/refresh'))).toHaveLength(1);
  });

  it('ends the session when the refresh fails', async () => {
    const server = fakeServer({ refreshFails: true });
    const tokens = createTokenStore(null);
    tokens.setTokens({ accessToken: 'stale', refreshToken: 'refresh-1' });
    const onSessionExpired = vi.fn();
    const api = createApi({ baseUrl: 'http://api.test', tokens, fetch: server.fetch, onSessionExpired });

    const { response } = await api.client.GET('/api/auth/me');
    expect(response.status).toBe(401);
    expect(onSessionExpired).toHaveBeenCalledOnce();
    // The server's reason is passed on, for the "session ended" notice.
    expect(onSessionExpired).toHaveBeenCalledWith('Invalid refresh token');
    expect(tokens.getAccessToken()).toBeNull();
    expect(tokens.getRefreshToken()).toBeNull();
  });

  it('never attaches a token to, nor refreshes after, a failed login', async () => {
    const server = fakeServer();
    const tokens = createTokenStore(null);
    tokens.setTokens(pair(1));
    const api = createApi({ baseUrl: 'http://api.test', tokens, fetch: server.fetch });

    const { response } = await api.client.POST('/api/auth/login', {
      body: { username: 'admin', password: 'wrong' },
    });
    expect(response.status).toBe(401);
    expect(server.calls).toEqual(['POST /api/auth/login -']);
    expect(tokens.getAccessToken()).toBe('access-1');
  });
});
