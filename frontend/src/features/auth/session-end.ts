/**
 * Whether the last session in this tab ended because its user signed out (as
 * opposed to expiring or being ended by the server). Sign-in after an expiry
 * returns to the page the user was on; after a sign-out it starts afresh.
 */
let signedOut = false;

export function markSignedOut(): void {
  signedOut = true;
}

export function clearSignedOut(): void {
  signedOut = false;
}

export function wasSignedOut(): boolean {
  return signedOut;
}

/**
 * The path to return to after signing in, from `?next=`: only a path on this
 * site (not `//host`, not the login page itself), else null.
 */
export function safeNextPath(value: string | null): string | null {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  if (value === '/login' || value.startsWith('/login?') || value.startsWith('/change-password')) return null;
  return value;
}

/** Where to send someone without a session who asked for `path`. */
export function loginPathFor(path: string): string {
  if (wasSignedOut() || path === '/' || safeNextPath(path) === null) return '/login';
  return `/login?next=${encodeURIComponent(path)}`;
}
