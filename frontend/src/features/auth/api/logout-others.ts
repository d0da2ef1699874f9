import { useMutation } from '@tanstack/react-query';
import { getApi } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';

/** POST /api/auth/logout-others: every other session of the caller ends; this one goes on. */
export async function logoutOtherSessions(): Promise<void> {
  await unwrap(getApi().client.POST('/api/auth/logout-others'));
}

export function useLogoutOtherSessions() {
  return useMutation({ mutationFn: logoutOtherSessions });
}
