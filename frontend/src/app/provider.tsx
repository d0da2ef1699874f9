import { MutationCache, QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { NotificationProvider } from '@/components/ui/notification-provider';
import { ToastProvider } from '@/components/ui/toast-provider';
import { useNotify } from '@/components/ui/use-notify';
import { onSessionExpired } from '@/lib/api/client';
import { authKeys } from '@/features/auth/api/keys';
import { ApiError } from '@/lib/api/errors';

/** Query keys every change may touch: each mutation is logged, and counted in the figures. */
const TOUCHED_BY_EVERY_CHANGE = [['activity'], ['stats']];

function createQueryClient(): QueryClient {
  const queryClient: QueryClient = new QueryClient({
    defaultOptions: {
      queries: {
        refetchOnWindowFocus: false,
        // Retry only what may be transient: no answer, or a 5xx.
        retry: (failures, error) =>
          failures < 2 && (!(error instanceof ApiError) || error.status === 0 || error.status >= 500),
      },
      mutations: { retry: false },
    },
    mutationCache: new MutationCache({
      onSuccess: () => {
        for (const queryKey of TOUCHED_BY_EVERY_CHANGE) void queryClient.invalidateQueries({ queryKey });
      },
    }),
  });
  return queryClient;
}

/** When a refresh fails the session is over: drop cached data and say so (with the server's reason). */
function SessionExpiryNotice() {
  const queryClient = useQueryClient();
  const notify = useNotify();
  useEffect(
    () =>
      onSessionExpired((reason) => {
        // Drop everything the session fetched, but not the restore attempt that may be reporting this.
        queryClient.removeQueries({ predicate: (query) => query.queryHash !== JSON.stringify(authKeys.restore) });
        notify({
          variant: 'info',
          title: 'Session ended',
          message: reason
            ? `Your session has ended: ${reason.replace(/[.;]?\s*$/, '')}. Please sign in again.`
            : 'Your session has ended. Please sign in again.',
        });
      }),
    [queryClient, notify],
  );
  return null;
}

export function AppProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <NotificationProvider>
          <SessionExpiryNotice />
          {children}
        </NotificationProvider>
      </ToastProvider>
    </QueryClientProvider>
  );
}
