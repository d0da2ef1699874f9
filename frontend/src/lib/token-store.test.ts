import { describe, expect, it, vi } from 'vitest';
import { createTokenStore, REFRESH_TOKEN_KEY, type KeyValueStorage } from './token-store';

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

describe('createTokenStore', () => {
  it('starts empty', () => {
    const store = createTokenStore(memoryStorage());
    expect(store.getAccessToken()).toBeNull();
    expect(store.getRefreshToken()).toBeNull();
  });

  it('keeps the access token in memory and only the refresh token in storage', () => {
    const storage = memoryStorage();
    const store = createTokenStore(storage);
    store.setTokens({ accessToken: 'access-1', refreshToken: 'refresh-1' });

    expect(store.getAccessToken()).toBe('access-1');
    expect(store.getRefreshToken()).toBe('refresh-1');
    expect([...storage.data.entries()]).toEqual([[REFRESH_TOKEN_KEY, 'refresh-1']]);
    expect([...storage.data.values()].join()).not.toContain('access-1');
  });

  it('survives a reload through storage for the refresh token only', () => {
    const storage = memoryStorage();
    createTokenStore(storage).setTokens({ accessToken: 'a', refreshToken: 'r' });

    const reloaded = createTokenStore(storage);
    expect(reloaded.getAccessToken()).toBeNull();
    expect(reloaded.getRefreshToken()).toBe('r');
  });

  it('replaces the pair on rotation and forgets both on clear', () => {
    const storage = memoryStorage();
    const store = createTokenStore(storage);
    store.setTokens({ accessToken: 'a1', refreshToken: 'r1' });
    store.setTokens({ accessToken: 'a2', refreshToken: 'r2' });
    expect(store.getAccessToken()).toBe('a2');
    expect(store.getRefreshToken()).toBe('r2');

    store.clear();
    expect(store.getAccessToken()).toBeNull();
    expect(store.getRefreshToken()).toBeNull();
    expect(storage.data.size).toBe(0);
  });

  it('notifies subscribers until they unsubscribe', () => {
    const store = createTokenStore(memoryStorage());
    const listener = vi.fn();
    const unsubscribe = store.subscribe(listener);
    store.setTokens({ accessToken: 'a', refreshToken: 'r' });
    store.clear();
    expect(listener).toHaveBeenCalledTimes(2);
    unsubscribe();
    store.setTokens({ accessToken: 'b', refreshToken: 's' });
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it('works without storage, and when storage throws', () => {
    const memoryOnly = createTokenStore(null);
    memoryOnly.setTokens({ accessToken: 'a', refreshToken: 'r' });
    expect(memoryOnly.getRefreshToken()).toBe('r');

    const broken: KeyValueStorage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    const store = createTokenStore(broken);
    store.setTokens({ accessToken: 'a', refreshToken: 'r' });
    expect(store.getAccessToken()).toBe('a');
    expect(store.getRefreshToken()).toBe('r');
    store.clear();
    expect(store.getRefreshToken()).toBeNull();
  });
});
