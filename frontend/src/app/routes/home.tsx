import { LogoutButton } from '@/features/auth/components/logout-button';
import { ProfileForm } from '@/features/auth/components/profile-form';
import { UserSummary } from '@/features/auth/components/user-summary';
import type { User } from '@/lib/api/client';
import { usePage } from '@/lib/use-page';
import { Brand } from './brand';

export function HomeRoute({ user }: { user: User }) {
  usePage('Home', '/');
  return (
    <div className="shell" data-testid="home-page">
      <header className="topbar">
        <Brand />
        <div className="topbar__right">
          <span className="topbar__user">
            Signed in as <strong>{user.username}</strong>
          </span>
          <LogoutButton />
        </div>
      </header>
      <main className="content">
        <h1 className="page-title">Welcome, {user.name}</h1>
        <div className="grid">
          <section className="card" aria-labelledby="account-title">
            <h2 id="account-title" className="card__title">
              Your account
            </h2>
            <UserSummary user={user} />
          </section>
          <section className="card" aria-labelledby="profile-title">
            <h2 id="profile-title" className="card__title">
              Edit profile
            </h2>
            <ProfileForm key={user.id} user={user} />
          </section>
        </div>
      </main>
    </div>
  );
}
