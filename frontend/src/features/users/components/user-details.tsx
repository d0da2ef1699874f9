import { Link } from 'react-router';
import { ROLE_NAMES } from '@/lib/authorization';
import { formatDateTime } from '@/lib/format';
import type { ManagedUser } from '../api/list-users';
import { UserStatusBadge } from './users-table';

/** A user's identity, role, company and dates. */
export function UserDetails({
  user,
  companyName,
  clientHref,
  isOwner,
}: {
  user: ManagedUser;
  companyName: string | null;
  clientHref: string | null;
  isOwner: boolean;
}) {
  const company = user.companyId == null ? 'Operator staff' : (companyName ?? `Client #${user.companyId}`);
  return (
    <dl className="facts facts--three" data-testid="user-details">
      <div>
        <dt>Username</dt>
        <dd className="mono" data-testid="detail-username">
          {user.username}
        </dd>
      </div>
      <div>
        <dt>E-mail</dt>
        <dd data-testid="detail-email">{user.email ?? '—'}</dd>
      </div>
      <div>
        <dt>Role</dt>
        <dd data-testid="detail-role">
          {ROLE_NAMES[user.role]}
          {isOwner ? ' (the client’s owner)' : ''}
        </dd>
      </div>
      <div>
        <dt>Client</dt>
        <dd data-testid="detail-company">{clientHref ? <Link to={clientHref}>{company}</Link> : company}</dd>
      </div>
      <div>
        <dt>Status</dt>
        <dd>
          <UserStatusBadge user={user} />
        </dd>
      </div>
      <div>
        <dt>Last login</dt>
        <dd>{formatDateTime(user.lastLogin)}</dd>
      </div>
      <div>
        <dt>Created</dt>
        <dd>{formatDateTime(user.createdAt)}</dd>
      </div>
      <div>
        <dt>Updated</dt>
        <dd>{formatDateTime(user.updatedAt)}</dd>
      </div>
    </dl>
  );
}
