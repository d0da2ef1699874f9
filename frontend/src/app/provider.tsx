import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { NotificationProvider } from '@/components/ui/notification-provider';
import { useNotify } from '@/components/ui/use-notify';
import { onSessionExpired } from '@/lib/api/client';
import { ApiError } from '@/lib/api/errors';

function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        refetchOnWindowFocus: false,
        // Retry only what may be transient: no answer, or a 5xx.
        retry: (failures, error) =>
          failures < 2 && (!(error instanceof ApiError) || error.status === 0 || error.status >= 500),
      },
      mutations: { retry: false },
    },
  });
}

/** When a refresh fails the session is over: drop cached data and say so. */
function SessionExpiryNotice() {
  const queryClient = useQueryClient();
  const notify = useNotify();
  useEffect(
    () =>
      onSessionExpired(() => {
        queryClient.clear();
        notify({
          variant: 'info',
          title: 'Session ended',
          message: 'Your session has ended. Please sign in again.',
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
      <NotificationProvider>
        <SessionExpiryNotice />
        {children}
      </NotificationProvider>
    </QueryClientProvider>
  );
}
