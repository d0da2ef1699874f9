import type { User } from '@/lib/api/client';
import { formatDateTime } from '@/lib/format';
import { permissionName, ROLE_LABELS } from '../labels';
import { initials } from '../initials';

/** Who is signed in: identity, role and permissions. */
export function UserSummary({ user }: { user: User }) {
  const permissions = [...user.permissions].sort((a, b) => a - b);
  return (
    <div className="user-summary" data-testid="user-summary">
      <div className="user-summary__head">
        <div className="avatar" aria-hidden="true">
          {initials(user.name)}
        </div>
        <div>
          <p className="user-summary__name" data-testid="user-name">
            {user.name}
          </p>
          <p className="muted" data-testid="user-username">
            @{user.username}
          </p>
        </div>
        <span className={`badge badge--role badge--${user.role}`} data-testid="user-role">
          {ROLE_LABELS[user.role]}
        </span>
      </div>
      <dl className="facts">
        <div>
          <dt>Username</dt>
          <dd>{user.username}</dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd data-testid="user-email">{user.email ?? '—'}</dd>
        </div>
        <div>
          <dt>Role</dt>
          <dd>{ROLE_LABELS[user.role]}</dd>
        </div>
        <div>
          <dt>Company</dt>
          <dd>{user.companyId == null ? 'Operator staff' : `Client #${user.companyId}`}</dd>
        </div>
        <div>
          <dt>Last login</dt>
          <dd>{formatDateTime(user.lastLogin)}</dd>
        </div>
      </dl>
      <h3 className="section-title">Permissions</h3>
      {permissions.length === 0 ? (
        <p className="muted" data-testid="user-permissions">
          {user.role === 'super_admin' ? 'All permissions (super admin).' : 'No permissions granted.'}
        </p>
      ) : (
        <ul className="chips" data-testid="user-permissions" aria-label="Permissions">
          {permissions.map((id) => (
            <li key={id} className="chip" title={`Permission ${id}`}>
              <span className="chip__id">{id}</span> {permissionName(id)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
