import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { getApi, reportSessionExpired, type User } from '@/lib/api/client';
import { tokenStore } from '@/lib/token-store';
import { authKeys } from './keys';

/** True while this tab holds an access token. */
export function useHasSession(): boolean {
  return useSyncExternalStore(
    (listener) => tokenStore.subscribe(listener),
    () => tokenStore.getAccessToken() !== null,
  );
}

/**
 * After a reload only the refresh token is left (sessionStorage): trade it for a
 * new pair once. Answers the user, or null when there is no session to restore.
 */
export async function restoreSession(): Promise<User | null> {
  if (tokenStore.getAccessToken() || !tokenStore.getRefreshToken()) return null;
  const outcome = await getApi().refresh();
  if (outcome.ok) return outcome.tokens.user;
  // The server refused the stored session (it ended, or the account was deactivated): say why.
  if (outcome.reason) reportSessionExpired(outcome.reason);
  return null;
}

export function useRestoreSession() {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: authKeys.restore,
    queryFn: async () => {
      const user = await restoreSession();
      if (user) queryClient.setQueryData(authKeys.me, user);
      return user;
    },
    staleTime: Infinity,
    gcTime: Infinity,
    retry: false,
    refetchOnWindowFocus: false,
  });
}
