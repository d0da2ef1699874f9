import { useEffect, useState } from 'react';
import { ROLE_NAMES, ROLES } from '@/lib/authorization';
import { usePermissionCatalogue } from '../api/list-permissions';
import type { UserListParams } from '../list-params';
import { ClientField } from './client-field';

type Filters = Pick<UserListParams, 'search' | 'role' | 'companyId' | 'status' | 'permission'>;

/** Search (sent 300 ms after the last key) and the API's filters: role, client, status. */
export function UsersToolbar({
  value,
  onChange,
  chooseClient,
  canListClients,
}: {
  value: Filters;
  onChange: (next: Partial<Filters>) => void;
  /** Staff filter by client; client-side users see their own company only. */
  chooseClient: boolean;
  canListClients: boolean;
}) {
  const catalogue = usePermissionCatalogue();
  const [search, setSearch] = useState(value.search);
  const [lastSeen, setLastSeen] = useState(value.search);
  if (value.search !== lastSeen) {
    setLastSeen(value.search);
    setSearch(value.search);
  }

  useEffect(() => {
    if (search === value.search) return;
    const timer = setTimeout(() => onChange({ search }), 300);
    return () => clearTimeout(timer);
  }, [search, value.search, onChange]);

  return (
    <div className="toolbar toolbar--wrap" role="search" aria-label="Search and filter users">
      <div className="toolbar__search">
        <label htmlFor="users-search" className="visually-hidden">
          Search users
        </label>
        <input
          id="users-search"
          type="search"
          className="field__input"
          placeholder="Search name, username, e-mail…"
          maxLength={200}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') onChange({ search });
          }}
          data-testid="users-search"
        />
      </div>
      <div className="toolbar__filter">
        <label className="toolbar__label" htmlFor="users-filter-role">
          Role
        </label>
        <select
          id="users-filter-role"
          className="field__input field__input--select"
          value={value.role}
          onChange={(e) => onChange({ role: e.target.value as Filters['role'] })}
          data-testid="filter-role"
        >
          <option value="">All</option>
          {(chooseClient ? ROLES : ROLES.filter((r) => r === 'user' || r === 'client_admin')).map((r) => (
            <option key={r} value={r}>
              {ROLE_NAMES[r]}
            </option>
          ))}
        </select>
      </div>
      <div className="toolbar__filter">
        <label className="toolbar__label" htmlFor="users-filter-status">
          Status
        </label>
        <select
          id="users-filter-status"
          className="field__input field__input--select"
          value={value.status}
          onChange={(e) => onChange({ status: e.target.value as Filters['status'] })}
          data-testid="filter-status"
        >
          <option value="">All</option>
          <option value="active">Active</option>
          <option value="inactive">Inactive</option>
        </select>
      </div>
      <div className="toolbar__filter">
        <label className="toolbar__label" htmlFor="users-filter-permission">
          Holds permission
        </label>
        <select
          id="users-filter-permission"
          className="field__input field__input--select"
          value={value.permission ?? ''}
          onChange={(e) => onChange({ permission: e.target.value ? (Number(e.target.value) as Filters['permission']) : null })}
          data-testid="filter-permission"
        >
          <option value="">Any</option>
          {(catalogue.data ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {p.id} {p.name}
            </option>
          ))}
        </select>
      </div>
      {chooseClient && (
        <div className="toolbar__filter toolbar__filter--client">
          <ClientField
            value={value.companyId === null ? '' : String(value.companyId)}
            onChange={(id) => onChange({ companyId: id === '' ? null : Number(id) })}
            canList={canListClients}
            allowNone
            testId="filter-client"
          />
        </div>
      )}
    </div>
  );
}
