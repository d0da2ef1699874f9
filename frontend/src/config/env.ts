import { resolveApiBaseUrl } from './api-url';

/**
 * Settings the app needs, checked once at start-up: `main.tsx` calls
 * `loadConfig()` before rendering and shows a configuration error page if it throws.
 */
export interface AppConfig {
  /** Origin for API calls; request paths start with `/api`. */
  apiBaseUrl: string;
}

export function loadConfig(): AppConfig {
  const env = import.meta.env as Record<string, string | undefined>;
  return {
    apiBaseUrl: resolveApiBaseUrl(env.VITE_API_URL, window.location),
  };
}
