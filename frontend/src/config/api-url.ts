/**
 * Where the SPA sends its API calls.
 *
 * The generated client calls paths that already begin with `/api`, so the value
 * returned here is an *origin* (`scheme://host[:port]`, no path). The backend
 * serves `/api/...` on every host, including the `api.` subdomain (it only adds
 * the `/api` prefix to paths that lack it), so both choices below are correct.
 */

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface PageLocation {
  protocol: string; // "http:" | "https:"
  host: string; // hostname[:port]
  hostname: string;
  origin: string;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** True for a literal IPv4 or IPv6 address (`location.hostname` keeps IPv6 brackets). */
export function isIpAddress(hostname: string): boolean {
  return IPV4.test(hostname) || hostname.includes(':') || hostname.startsWith('[');
}

/**
 * Resolve the API origin.
 *
 * 1. `VITE_API_URL` when set: an absolute http(s) URL, or a path such as `/`
 *    meaning "this page's origin". A trailing `/api` is dropped, since the
 *    client's paths carry it.
 * 2. Otherwise the `api.` subdomain of the page's host (PRODUCT.md), except when
 *    the page is on an IP address (`api.127.0.0.1` does not resolve) or already
 *    on an `api.` host: then the page's own origin.
 */
export function resolveApiBaseUrl(configured: string | undefined, location: PageLocation): string {
  const value = configured?.trim();
  if (value) {
    let url: URL;
    try {
      url = new URL(value, location.origin);
    } catch {
      throw new ConfigError(`VITE_API_URL is not a valid URL: ${JSON.stringify(value)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigError(`VITE_API_URL must be an http(s) URL, got ${JSON.stringify(value)}`);
    }
    if (url.search || url.hash) {
      throw new ConfigError(`VITE_API_URL must not carry a query or fragment: ${JSON.stringify(value)}`);
    }
    const path = url.pathname.replace(/\/+$/, '');
    if (path !== '' && path !== '/api') {
      throw new ConfigError(
        `VITE_API_URL must be an origin (optionally ending in /api), got ${JSON.stringify(value)}`,
      );
    }
    return url.origin;
  }

  const hostname = location.hostname.toLowerCase();
  if (isIpAddress(hostname) || hostname.startsWith('api.')) {
    return location.origin;
  }
  return `${location.protocol}//api.${location.host}`;
}
