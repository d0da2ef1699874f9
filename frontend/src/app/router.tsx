import { FullPageSpinner } from '@/components/ui/spinner';
import { useMe } from '@/features/auth/api/get-me';
import { useHasSession, useRestoreSession } from '@/features/auth/api/session';
import { ChangePasswordRoute } from './routes/change-password';
import { HomeRoute } from './routes/home';
import { LoadErrorRoute } from './routes/load-error';
import { LoginRoute } from './routes/login';

/**
 * The screens follow the session: no session → login; a user that must change
 * its password → the forced change-password screen; otherwise → home.
 */
export function AppRouter() {
  const hasSession = useHasSession();
  const restore = useRestoreSession();

  if (!hasSession) {
    if (restore.isPending) return <FullPageSpinner label="Restoring your session" />;
    return <LoginRoute />;
  }
  return <AuthenticatedRoutes />;
}

function AuthenticatedRoutes() {
  const me = useMe();
  if (me.isPending) return <FullPageSpinner label="Loading your account" />;
  if (me.isError) return <LoadErrorRoute error={me.error} onRetry={() => void me.refetch()} />;
  if (me.data.mustChangePassword) return <ChangePasswordRoute user={me.data} />;
  return <HomeRoute user={me.data} />;
}
