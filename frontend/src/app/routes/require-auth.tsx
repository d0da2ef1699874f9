import { Navigate, Outlet, useLocation } from 'react-router';
import { FullPageSpinner } from '@/components/ui/spinner';
import { useMe } from '@/features/auth/api/get-me';
import { useHasSession } from '@/features/auth/api/session';
import { loginPathFor } from '@/features/auth/session-end';
import { CurrentUserContext } from '../current-user';
import { LoadErrorRoute } from './load-error';

/**
 * The gate of every signed-in screen: no session → sign-in (remembering the
 * page, unless the user signed out); a password to change → the forced change;
 * else the screen, with the user in context.
 */
export function RequireAuth() {
  const hasSession = useHasSession();
  const location = useLocation();
  const here = location.pathname + location.search + location.hash;
  if (!hasSession) return <Navigate to={loginPathFor(here)} replace />;
  return <SignedIn here={here} />;
}

function SignedIn({ here }: { here: string }) {
  const me = useMe();
  if (me.isPending) return <FullPageSpinner label="Loading your account" />;
  if (me.isError) return <LoadErrorRoute error={me.error} onRetry={() => void me.refetch()} />;
  if (me.data.mustChangePassword) {
    const next = here === '/' ? '' : `?next=${encodeURIComponent(here)}`;
    return <Navigate to={`/change-password${next}`} replace />;
  }
  return (
    <CurrentUserContext value={me.data}>
      <Outlet />
    </CurrentUserContext>
  );
}
