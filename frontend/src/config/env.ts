import { ConfigError, resolveApiBaseUrl } from './api-url';

/**
 * Settings the app needs, checked once at start-up: `main.tsx` calls
 * `loadConfig()` before rendering and shows a configuration error page if it throws.
 */
export interface AppConfig {
  /** Origin for API calls; request paths start with `/api`. */
  apiBaseUrl: string;
  /**
   * Region (ISO 3166) in which a phone number written without `+` is read, as the
   * server's `CLIENTELE_DEFAULT_PHONE_REGION` does (`VITE_DEFAULT_PHONE_REGION`,
   * default IN). The API does not publish its setting, so the two must be kept equal.
   */
  defaultPhoneRegion: string;
}

export const DEFAULT_PHONE_REGION = 'IN';

export function resolvePhoneRegion(configured: string | undefined): string {
  const value = configured?.trim().toUpperCase();
  if (!value) return DEFAULT_PHONE_REGION;
  if (!/^[A-Z]{2}$/.test(value)) {
    throw new ConfigError(`VITE_DEFAULT_PHONE_REGION must be a two-letter region code, got ${JSON.stringify(configured)}`);
  }
  return value;
}

let loaded: AppConfig | null = null;

export function loadConfig(): AppConfig {
  const env = import.meta.env as Record<string, string | undefined>;
  loaded = {
    apiBaseUrl: resolveApiBaseUrl(env.VITE_API_URL, window.location),
    defaultPhoneRegion: resolvePhoneRegion(env.VITE_DEFAULT_PHONE_REGION),
  };
  return loaded;
}

/** The settings loaded at start-up. */
export function getConfig(): AppConfig {
  if (!loaded) throw new Error('loadConfig() has not been called');
  return loaded;
}

/** The region phone numbers without `+` are read in (the default before start-up, e.g. in tests). */
export function phoneRegion(): string {
  return loaded?.defaultPhoneRegion ?? DEFAULT_PHONE_REGION;
}
