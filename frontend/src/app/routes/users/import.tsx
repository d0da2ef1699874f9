import { Link, useNavigate } from 'react-router';
import { PageHeader } from '@/components/ui/page-header';
import { ImportUsers } from '@/features/users/components/import-users';
import { isStaff } from '@/lib/authorization';
import { useCurrentUser } from '../../current-user';

/** `/users/import`: a CSV of users, checked by a dry run before anything is written. */
export function ImportUsersRoute() {
  const user = useCurrentUser();
  const navigate = useNavigate();
  return (
    <div data-testid="import-page">
      <PageHeader
        title="Import users"
        eyebrow={
          <Link to="/users" className="back-link">
            ← Users
          </Link>
        }
      >
        <p className="muted">Every row is checked first; nothing is written until you import.</p>
      </PageHeader>
      <div className="card">
        <ImportUsers staff={isStaff(user)} onDone={() => void navigate('/users')} />
      </div>
    </div>
  );
}
