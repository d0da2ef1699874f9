import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { tokenStore } from '@/lib/token-store';
import { markSignedOut } from '../session-end';

/**
 * POST /api/auth/logout, then forget the session locally whatever the answer:
 * a user who asks to leave is signed out even if the server cannot be told.
 */
export async function logout(): Promise<void> {
  try {
    await unwrap(getApi().client.POST('/api/auth/logout'));
  } finally {
    markSignedOut();
    tokenStore.clear();
  }
}

/**
 * `onError` is given here rather than to `mutate()`: the calling component is
 * unmounted as soon as the tokens are dropped, and `mutate()`'s callbacks would
 * not run any more.
 */
export function useLogout(options: { onError?: (error: Error) => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onError: options.onError,
    onSettled: () => queryClient.clear(),
  });
}
