import { LoginForm } from '@/features/auth/components/login-form';
import { usePage } from '@/lib/use-page';
import { Brand } from './brand';

export function LoginRoute() {
  usePage('Sign in', '/login');
  return (
    <main className="auth-layout" data-testid="login-page">
      <div className="auth-layout__inner">
        <header className="auth-layout__header">
          <Brand size="large" />
          <h1 className="auth-layout__title">Sign in to your account</h1>
          <p className="muted">Client and user management</p>
        </header>
        <LoginForm />
      </div>
    </main>
  );
}
