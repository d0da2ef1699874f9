import { Navigate, useSearchParams } from 'react-router';
import { useHasSession } from '@/features/auth/api/session';
import { LoginForm } from '@/features/auth/components/login-form';
import { safeNextPath } from '@/features/auth/session-end';
import { usePage } from '@/lib/use-page';
import { Brand } from './brand';

/** `/login`: the Operator and Client tabs; once signed in, back to where the user was going. */
export function LoginRoute() {
  usePage('Sign in');
  const hasSession = useHasSession();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get('next'));
  if (hasSession) return <Navigate to={next ?? '/'} replace />;
  return (
    <main className="auth-layout" data-testid="login-page">
      <div className="auth-layout__inner">
        <header className="auth-layout__header">
          <Brand size="large" />
          <h1 className="auth-layout__title">Sign in to your account</h1>
          <p className="muted">Client and user management</p>
        </header>
        {next && (
          <p className="callout callout--info" data-testid="login-next">
            Sign in to continue where you were.
          </p>
        )}
        <LoginForm />
      </div>
    </main>
  );
}
