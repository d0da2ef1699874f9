/**
 * Where the session's tokens live.
 *
 * - The access token is kept in memory only (never in any Web Storage), so a
 *   script injected later cannot read it from storage and it dies with the tab.
 * - The refresh token is kept in `sessionStorage` so that reloading the page keeps
 *   the session: on start-up the app exchanges it for a fresh pair. It is scoped to
 *   this tab, gone when the tab closes, single use (rotated on every refresh) and
 *   revoked by logout. Pass `storage: null` to keep it in memory as well.
 */

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

type Listener = () => void;

export interface TokenStore {
  getAccessToken(): string | null;
  getRefreshToken(): string | null;
  setTokens(tokens: TokenPair): void;
  clear(): void;
  /** Called after every change; returns an unsubscribe function. */
  subscribe(listener: Listener): () => void;
}

export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export const REFRESH_TOKEN_KEY = 'clientele.refreshToken';

export function createTokenStore(storage: KeyValueStorage | null): TokenStore {
  let accessToken: string | null = null;
  let memoryRefreshToken: string | null = null;
  const listeners = new Set<Listener>();

  const readStored = (): string | null => {
    if (!storage) return memoryRefreshToken;
    try {
      return storage.getItem(REFRESH_TOKEN_KEY);
    } catch {
      return memoryRefreshToken;
    }
  };

  const writeStored = (value: string | null) => {
    memoryRefreshToken = value;
    if (!storage) return;
    try {
      if (value === null) storage.removeItem(REFRESH_TOKEN_KEY);
      else storage.setItem(REFRESH_TOKEN_KEY, value);
    } catch {
      // Storage unavailable (privacy mode, quota): the in-memory copy still works.
    }
  };

  const emit = () => {
    for (const listener of [...listeners]) listener();
  };

  return {
    getAccessToken: () => accessToken,
    getRefreshToken: readStored,
    setTokens({ accessToken: access, refreshToken: refresh }) {
      accessToken = access;
      writeStored(refresh);
      emit();
    },
    clear() {
      accessToken = null;
      writeStored(null);
      emit();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

function browserSessionStorage(): KeyValueStorage | null {
  try {
    return typeof window !== 'undefined' ? window.sessionStorage : null;
  } catch {
    return null;
  }
}

/** The app's token store. */
export const tokenStore: TokenStore = createTokenStore(browserSessionStorage());
