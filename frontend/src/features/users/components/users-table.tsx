import type { SortingState } from '@tanstack/react-table';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { DataTable } from '@/components/ui/data-table';
import { dataTableColumnHelper } from '@/components/ui/data-table-columns';
import { ROLE_NAMES } from '@/lib/authorization';
import { formatDateTime } from '@/lib/format';
import type { ManagedUser } from '../api/list-users';
import { SORTABLE, type SortField, type UserSort } from '../list-params';

const column = dataTableColumnHelper<ManagedUser>();

/** A user's status: inactive, waiting for its first password, or active. */
export function UserStatusBadge({ user }: { user: Pick<ManagedUser, 'isActive' | 'mustChangePassword'> }) {
  if (!user.isActive) return <span className="badge badge--inactive">Inactive</span>;
  if (user.mustChangePassword) return <span className="badge badge--pending">Password to change</span>;
  return <span className="badge badge--active">Active</span>;
}

function columns(clientLink: (id: number) => string | null) {
  return column.columns([
    column.accessor('name', {
      header: 'Name',
      cell: (info) => (
        <div className="cell-stack">
          <Link to={`/users/${info.row.original.id}`} className="table__link" data-testid="user-link">
            {info.getValue()}
          </Link>
          <span className="muted cell-small mono">@{info.row.original.username}</span>
          <span className="muted cell-small hide-narrow">{info.row.original.email ?? ''}</span>
          <span className="show-narrow cell-badges">
            <span className={`badge badge--${info.row.original.role}`}>{ROLE_NAMES[info.row.original.role]}</span>
            <UserStatusBadge user={info.row.original} />
          </span>
        </div>
      ),
    }),
    column.accessor('role', {
      header: 'Role',
      enableSorting: false,
      meta: { className: 'hide-narrow' },
      cell: (info) => <span className={`badge badge--${info.getValue()}`}>{ROLE_NAMES[info.getValue()]}</span>,
    }),
    column.accessor('companyId', {
      header: 'Client',
      enableSorting: false,
      meta: { className: 'hide-narrow' },
      cell: (info) => {
        const id = info.getValue();
        if (id == null) return <span className="muted">Operator staff</span>;
        const to = clientLink(id);
        return to ? <Link to={to}>Client #{id}</Link> : `Client #${id}`;
      },
    }),
    column.accessor('isActive', {
      header: 'Status',
      enableSorting: false,
      meta: { className: 'hide-narrow' },
      cell: (info) => <UserStatusBadge user={info.row.original} />,
    }),
    column.accessor('permissions', {
      header: 'Permissions',
      enableSorting: false,
      meta: { className: 'hide-narrow' },
      cell: (info) =>
        info.row.original.role === 'super_admin' ? 'All' : info.getValue().length ? [...info.getValue()].sort((a, b) => a - b).join(', ') : '—',
    }),
    column.accessor('lastLogin', {
      header: 'Last login',
      meta: { className: 'hide-narrow' },
      cell: (info) => formatDateTime(info.getValue()),
    }),
    column.accessor('createdAt', {
      header: 'Created',
      meta: { className: 'hide-narrow' },
      cell: (info) => formatDateTime(info.getValue()),
    }),
  ]);
}

function sortToSorting(sort: UserSort): SortingState {
  const desc = sort.startsWith('-');
  return [{ id: desc ? sort.slice(1) : sort, desc }];
}

function sortingToSort(sorting: SortingState): UserSort | null {
  const first = sorting[0];
  if (!first || !(SORTABLE as readonly string[]).includes(first.id)) return null;
  return `${first.desc ? '-' : ''}${first.id as SortField}`;
}

export function UsersTable({
  users,
  sort,
  onSortChange,
  loading,
  fetching,
  empty,
  onOpen,
  clientLink,
}: {
  users: ManagedUser[];
  sort: UserSort;
  onSortChange: (sort: UserSort) => void;
  loading: boolean;
  fetching: boolean;
  empty: ReactNode;
  onOpen: (user: ManagedUser) => void;
  /** Where a client's page is, for those who may open it. */
  clientLink: (id: number) => string | null;
}) {
  return (
    <DataTable
      caption="Users"
      columns={columns(clientLink)}
      data={users}
      getRowId={(u) => String(u.id)}
      sorting={sortToSorting(sort)}
      onSortingChange={(sorting) => {
        const next = sortingToSort(sorting);
        if (next) onSortChange(next);
      }}
      loading={loading}
      fetching={fetching}
      empty={empty}
      onRowClick={onOpen}
      testId="users-table"
    />
  );
}
