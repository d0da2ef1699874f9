import { describe, expect, it } from 'vitest';
import { ConfigError, isIpAddress, resolveApiBaseUrl, type PageLocation } from './api-url';

function page(href: string): PageLocation {
  const u = new URL(href);
  return { protocol: u.protocol, host: u.host, hostname: u.hostname, origin: u.origin };
}

describe('resolveApiBaseUrl without VITE_API_URL', () => {
  it('uses the api. subdomain of the page host, keeping scheme and port', () => {
    expect(resolveApiBaseUrl(undefined, page('http://localhost:8080/'))).toBe('http://api.localhost:8080');
    expect(resolveApiBaseUrl(undefined, page('https://admin.example.com/clients'))).toBe(
      'https://api.admin.example.com',
    );
  });

  it('treats an empty or blank value as unset', () => {
    expect(resolveApiBaseUrl('', page('https://example.com/'))).toBe('https://api.example.com');
    expect(resolveApiBaseUrl('   ', page('https://example.com/'))).toBe('https://api.example.com');
  });

  it('stays on the same origin for an IPv4 host', () => {
    expect(resolveApiBaseUrl(undefined, page('http://127.0.0.1:18181/login'))).toBe('http://127.0.0.1:18181');
    expect(resolveApiBaseUrl(undefined, page('http://10.0.0.5/'))).toBe('http://10.0.0.5');
  });

  it('stays on the same origin for an IPv6 host', () => {
    expect(resolveApiBaseUrl(undefined, page('http://[::1]:8080/'))).toBe('http://[::1]:8080');
  });

  it('does not add a second api. prefix', () => {
    expect(resolveApiBaseUrl(undefined, page('https://api.example.com/'))).toBe('https://api.example.com');
    expect(resolveApiBaseUrl(undefined, page('http://API.localhost:8080/'))).toBe('http://api.localhost:8080');
  });
});

describe('resolveApiBaseUrl with VITE_API_URL', () => {
  const here = page('https://admin.example.com/');

  it('accepts an absolute origin, with or without a trailing slash', () => {
    expect(resolveApiBaseUrl('https://backend.example.com', here)).toBe('https://backend.example.com');
    expect(resolveApiBaseUrl('https://backend.example.com/', here)).toBe('https://backend.example.com');
    expect(resolveApiBaseUrl('http://localhost:9000', here)).toBe('http://localhost:9000');
  });

  it('drops a trailing /api because the client paths carry it', () => {
    expect(resolveApiBaseUrl('https://backend.example.com/api', here)).toBe('https://backend.example.com');
    expect(resolveApiBaseUrl('https://backend.example.com/api/', here)).toBe('https://backend.example.com');
  });

  it('resolves a relative value against the page origin', () => {
    expect(resolveApiBaseUrl('/', here)).toBe('https://admin.example.com');
    expect(resolveApiBaseUrl('/api', here)).toBe('https://admin.example.com');
  });

  it('rejects values it cannot use', () => {
    expect(() => resolveApiBaseUrl('ftp://example.com', here)).toThrow(ConfigError);
    expect(() => resolveApiBaseUrl('https://example.com/v2', here)).toThrow(ConfigError);
    expect(() => resolveApiBaseUrl('https://example.com/?x=1', here)).toThrow(ConfigError);
    expect(() => resolveApiBaseUrl('http://exa mple.com', here)).toThrow(ConfigError);
  });
});

describe('isIpAddress', () => {
  it('recognises literal addresses only', () => {
    expect(isIpAddress('127.0.0.1')).toBe(true);
    expect(isIpAddress('[::1]')).toBe(true);
    expect(isIpAddress('localhost')).toBe(false);
    expect(isIpAddress('example.com')).toBe(false);
    expect(isIpAddress('1.example.com')).toBe(false);
  });
});

describe('resolvePhoneRegion', () => {
  it('defaults to IN and accepts a two-letter code in either case', async () => {
    const { resolvePhoneRegion } = await import('./env');
    expect(resolvePhoneRegion(undefined)).toBe('IN');
    expect(resolvePhoneRegion(' us ')).toBe('US');
    expect(() => resolvePhoneRegion('India')).toThrow(ConfigError);
  });
});
