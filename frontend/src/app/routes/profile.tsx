import { PageHeader } from '@/components/ui/page-header';
import { ProfileForm } from '@/features/auth/components/profile-form';
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
      </div>
    </div>
  );
}
