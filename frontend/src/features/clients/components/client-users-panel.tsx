import { Link } from 'react-router';
import { DataTable } from '@/components/ui/data-table';
import { dataTableColumnHelper } from '@/components/ui/data-table-columns';
import { EmptyState } from '@/components/ui/empty-state';
import { Pagination } from '@/components/ui/pagination';
import { QueryError } from '@/components/ui/query-error';
import { formatDateTime } from '@/lib/format';
import { useAddClientUser } from '../api/add-client-user';
import type { Client } from '../api/get-client';
import { useClientUsers, type ClientUser } from '../api/list-client-users';
import { ROLE_OPTIONS } from '../add-user-schema';
import { AddUserButton } from './add-user-dialog';

const PAGE_SIZE = 10;
const column = dataTableColumnHelper<ClientUser>();
const roleLabel = (role: string) => ROLE_OPTIONS.find((o) => o.value === role)?.label ?? role;

const columns = (userHref?: (id: number) => string) => column.columns([
  column.accessor('name', {
    header: 'Name',
    cell: (info) => (
      <div className="cell-stack">
        {userHref ? (
          <Link to={userHref(info.row.original.id)} className="table__link" data-testid="user-link">
            {info.getValue()}
          </Link>
        ) : (
          <span className="strong">{info.getValue()}</span>
        )}
        <span className="muted cell-small">{info.row.original.email ?? '—'}</span>
        <span className="muted cell-small">
          Username <span className="mono" data-testid="user-username">{info.row.original.username}</span>
        </span>
      </div>
    ),
  }),
  column.accessor('role', {
    header: 'Role',
    cell: (info) => <span className={`badge badge--${info.getValue()}`}>{roleLabel(info.getValue())}</span>,
  }),
  column.accessor('isActive', {
    header: 'Status',
    meta: { className: 'hide-narrow' },
    cell: (info) => {
      const user = info.row.original;
      if (!user.isActive) return <span className="badge badge--inactive">Inactive</span>;
      if (user.mustChangePassword) return <span className="badge badge--pending">Password to change</span>;
      return <span className="badge badge--active">Active</span>;
    },
  }),
  column.accessor('modules', {
    header: 'Modules',
    meta: { className: 'hide-narrow' },
    cell: (info) => (info.getValue().length ? info.getValue().join(', ') : '—'),
  }),
  column.accessor('lastLogin', {
    header: 'Last login',
    meta: { className: 'hide-narrow' },
    cell: (info) => formatDateTime(info.getValue()),
  }),
]);

/** The client's users, and seed 000's Add New User. */
export function ClientUsersPanel({
  client,
  canAdd,
  page,
  onPageChange,
  userHref,
}: {
  client: Client;
  canAdd: boolean;
  page: number;
  onPageChange: (page: number) => void;
  /** Where a user's own page is, for those who may open it. */
  userHref?: ((id: number) => string) | undefined;
}) {
  const users = useClientUsers(client.id, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const add = useAddClientUser(client.id);
  return (
    <section aria-labelledby="client-users-title" data-testid="client-users">
      <div className="section-head">
        <h2 id="client-users-title" className="card__title">
          Users
        </h2>
        {canAdd && <AddUserButton companyName={client.companyName} onAdd={(body) => add.mutateAsync(body)} />}
      </div>
      {users.isError ? (
        <QueryError what="the users" error={users.error} onRetry={() => void users.refetch()} retrying={users.isFetching} />
      ) : (
        <>
          <DataTable
            caption={`Users of ${client.companyName}`}
            columns={columns(userHref)}
            data={users.data?.users ?? []}
            getRowId={(u) => String(u.id)}
            loading={users.isPending}
            fetching={users.isFetching && users.isPlaceholderData}
            empty={<EmptyState title="No users yet" />}
            testId="client-users-table"
          />
          {users.data && (
            <Pagination
              noun="users"
              page={page}
              pageSize={PAGE_SIZE}
              total={users.data.pagination.total}
              totalExact={users.data.pagination.totalExact}
              hasMore={users.data.pagination.hasMore}
              busy={users.isFetching}
              onPageChange={onPageChange}
            />
          )}
        </>
      )}
    </section>
  );
}
