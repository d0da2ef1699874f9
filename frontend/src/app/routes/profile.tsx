import { PageHeader } from '@/components/ui/page-header';
import { ChangePasswordForm } from '@/features/auth/components/change-password-form';
import { ProfileForm } from '@/features/auth/components/profile-form';
import { SessionsCard } from '@/features/auth/components/sessions-card';
import { UserSummary } from '@/features/auth/components/user-summary';
import { useCurrentUser } from '../current-user';

/** `/profile`: the signed-in user's account and its editable profile. */
export function ProfileRoute() {
  const user = useCurrentUser();
  return (
    <div data-testid="profile-page">
      <PageHeader title="Profile" />
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
        <section className="card" aria-labelledby="password-title" data-testid="profile-password">
          <h2 id="password-title" className="card__title">
            Change password
          </h2>
          <ChangePasswordForm autoFocus={false} />
        </section>
        <section className="card" aria-labelledby="sessions-title">
          <h2 id="sessions-title" className="card__title">
            Sessions
          </h2>
          <SessionsCard />
        </section>
      </div>
    </div>
  );
}
