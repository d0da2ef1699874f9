import { Outlet } from 'react-router';
import { FullPageSpinner } from '@/components/ui/spinner';
import { useHasSession, useRestoreSession } from '@/features/auth/api/session';

/** Every route: first, after a reload, trade the stored refresh token for a session. */
export function RootLayout() {
  const hasSession = useHasSession();
  const restore = useRestoreSession();
  if (!hasSession && restore.isPending) return <FullPageSpinner label="Restoring your session" />;
  return <Outlet />;
}
