import { afterEach, describe, expect, it } from 'vitest';
import { clearSignedOut, loginPathFor, markSignedOut, safeNextPath } from './session-end';

afterEach(clearSignedOut);

describe('safeNextPath', () => {
  it('accepts a path on this site with its query', () => {
    expect(safeNextPath('/clients/3/users?page=2')).toBe('/clients/3/users?page=2');
  });

  it('refuses other sites, odd schemes and the login page itself', () => {
    for (const bad of [null, '', 'https://evil.example', '//evil.example/x', '/\\evil.example', 'javascript:x', '/login', '/login?next=/x', '/change-password']) {
      expect(safeNextPath(bad)).toBeNull();
    }
  });
});

describe('loginPathFor', () => {
  it('remembers where the user was when the session ended', () => {
    expect(loginPathFor('/clients?search=abc')).toBe('/login?next=%2Fclients%3Fsearch%3Dabc');
  });

  it('leaves the home page and a sign-out without a return path', () => {
    expect(loginPathFor('/')).toBe('/login');
    markSignedOut();
    expect(loginPathFor('/clients')).toBe('/login');
  });
});
