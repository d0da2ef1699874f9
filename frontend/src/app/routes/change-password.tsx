import { Navigate, useLocation, useSearchParams } from 'react-router';
import { FullPageSpinner } from '@/components/ui/spinner';
import { useMe } from '@/features/auth/api/get-me';
import { useHasSession } from '@/features/auth/api/session';
import { ChangePasswordForm } from '@/features/auth/components/change-password-form';
import { LogoutButton } from '@/features/auth/components/logout-button';
import { loginPathFor, safeNextPath } from '@/features/auth/session-end';
import { usePage } from '@/lib/use-page';
import { Brand } from './brand';
import { LoadErrorRoute } from './load-error';

/** `/change-password`, forced: a user whose password was set for it must choose its own first. */
export function ChangePasswordRoute() {
  usePage('Change your password');
  const hasSession = useHasSession();
  const location = useLocation();
  if (!hasSession) return <Navigate to={loginPathFor(location.pathname + location.search)} replace />;
  return <ForcedChange />;
}

function ForcedChange() {
  const me = useMe();
  const [params] = useSearchParams();
  if (me.isPending) return <FullPageSpinner label="Loading your account" />;
  if (me.isError) return <LoadErrorRoute error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data.mustChangePassword) return <Navigate to={safeNextPath(params.get('next')) ?? '/'} replace />;
  const user = me.data;
  return (
    <main className="auth-layout" data-testid="change-password-page">
      <div className="auth-layout__inner">
        <header className="auth-layout__header">
          <Brand size="large" />
          <h1 className="auth-layout__title">Choose a new password</h1>
          <p className="muted">
            Welcome, <strong>{user.name}</strong>. Your password was set by an administrator; choose your own
            before you continue.
          </p>
        </header>
        <div className="card">
          <ChangePasswordForm />
        </div>
        <div className="auth-layout__footer">
          <LogoutButton />
        </div>
      </div>
    </main>
  );
}
