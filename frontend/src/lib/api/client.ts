import createClient, { type Client } from 'openapi-fetch';
import type { TokenStore } from '../token-store';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type User = Schemas['UserView'];
export type TokenResponse = Schemas['TokenResponse'];

export type ApiClient = Client<paths>;

/** Calls that must never carry a bearer token nor trigger a refresh on 401. */
const ANONYMOUS_PATHS = new Set(['/api/auth/login', '/api/auth/client-login', '/api/auth/refresh']);

/** A failed refresh says why when the server did (e.g. "This account is deactivated"). */
export type RefreshOutcome = { ok: true; tokens: TokenResponse } | { ok: false; reason?: string };

export interface ApiClientOptions {
  /** Origin of the API; the generated paths start with `/api`. */
  baseUrl: string;
  tokens: TokenStore;
  fetch?: (request: Request) => Promise<Response>;
  /** Called when a refresh was needed and failed: the session is over (with the server's reason). */
  onSessionExpired?: (reason?: string) => void;
}

export interface Api {
  client: ApiClient;
  /**
   * Exchange the stored refresh token for a new pair. Concurrent callers share one
   * request: refresh tokens are single use and the server ends the session on reuse.
   */
  refresh(): Promise<RefreshOutcome>;
}

export function createApi(options: ApiClientOptions): Api {
  const { baseUrl, tokens } = options;
  const baseFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const plain = createClient<paths>({ baseUrl, fetch: baseFetch });
  let inFlight: Promise<RefreshOutcome> | null = null;

  const doRefresh = async (): Promise<RefreshOutcome> => {
    const refreshToken = tokens.getRefreshToken();
    if (!refreshToken) return { ok: false };
    const { data, error, response } = await plain.POST('/api/auth/refresh', { body: { refreshToken } });
    if (response.ok && data) {
      tokens.setTokens(data);
      return { ok: true, tokens: data };
    }
    if (response.status >= 500 || response.status === 429) {
      // The server is struggling, not the session: keep the tokens, report failure.
      return { ok: false };
    }
    tokens.clear();
    return { ok: false, reason: typeof error?.error === 'string' ? error.error : undefined };
  };

  const refresh = (): Promise<RefreshOutcome> => {
    inFlight ??= doRefresh().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  const withBearer = (request: Request, token: string): Request => {
    const authorized = new Request(request);
    authorized.headers.set('Authorization', `Bearer ${token}`);
    return authorized;
  };

  /** Adds the bearer token; on a 401 refreshes once and retries once. */
  const authFetch = async (request: Request): Promise<Response> => {
    const token = tokens.getAccessToken();
    if (!token || ANONYMOUS_PATHS.has(new URL(request.url).pathname)) {
      return baseFetch(request);
    }
    const spare = request.clone();
    const response = await baseFetch(withBearer(request, token));
    if (response.status !== 401) return response;

    const current = tokens.getAccessToken();
    let next: string | null = null;
    let reason: string | undefined;
    if (current && current !== token) {
      next = current; // another call refreshed meanwhile
    } else {
      const outcome = await refresh();
      if (outcome.ok) next = outcome.tokens.accessToken;
      else reason = outcome.reason;
    }
    if (!next) {
      if (!tokens.getAccessToken()) options.onSessionExpired?.(reason);
      return response;
    }
    return baseFetch(withBearer(spare, next));
  };

  return { client: createClient<paths>({ baseUrl, fetch: authFetch }), refresh };
}

let configured: Api | null = null;
type ExpiredListener = (reason?: string) => void;
const expiredListeners = new Set<ExpiredListener>();

/** Set up the app's API client once, at start-up (see `main.tsx`). */
export function configureApi(options: Omit<ApiClientOptions, 'onSessionExpired'>): Api {
  configured = createApi({
    ...options,
    onSessionExpired: reportSessionExpired,
  });
  return configured;
}

/** Say that the session has ended (e.g. a stored session that could not be restored). */
export function reportSessionExpired(reason?: string): void {
  for (const listener of [...expiredListeners]) listener(reason);
}

/** Be told when a session ends because its refresh failed. Returns an unsubscribe function. */
export function onSessionExpired(listener: ExpiredListener): () => void {
  expiredListeners.add(listener);
  return () => {
    expiredListeners.delete(listener);
  };
}

export function getApi(): Api {
  if (!configured) throw new Error('configureApi() has not been called');
  return configured;
}
