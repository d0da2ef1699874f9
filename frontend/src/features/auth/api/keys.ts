/** Query keys of the auth feature. */
export const authKeys = {
  me: ['auth', 'me'] as const,
  restore: ['auth', 'restore'] as const,
};
