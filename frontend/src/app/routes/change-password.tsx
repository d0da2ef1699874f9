import { ChangePasswordForm } from '@/features/auth/components/change-password-form';
import { LogoutButton } from '@/features/auth/components/logout-button';
import type { User } from '@/lib/api/client';
import { usePage } from '@/lib/use-page';
import { Brand } from './brand';

/** Forced: a user whose password was set for it must choose its own first. */
export function ChangePasswordRoute({ user }: { user: User }) {
  usePage('Change your password', '/change-password');
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
