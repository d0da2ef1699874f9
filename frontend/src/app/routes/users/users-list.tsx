import { useCallback } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { EmptyState } from '@/components/ui/empty-state';
import { ExportButton } from '@/components/ui/export-button';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination } from '@/components/ui/pagination';
import { QueryError } from '@/components/ui/query-error';
import { useExportUsers } from '@/features/users/api/export-users';
import { useUsers } from '@/features/users/api/list-users';
import { CreateUserButton } from '@/features/users/components/user-form';
import { UsersTable } from '@/features/users/components/users-table';
import { UsersToolbar } from '@/features/users/components/users-toolbar';
import {
  isFiltered,
  readUserListParams,
  toExportQuery,
  toListQuery,
  writeUserListParams,
  type UserListParams,
} from '@/features/users/list-params';
import { isStaff, policies } from '@/lib/authorization';
import { useCurrentUser } from '../../current-user';

/** `/users`: search, filters (role, client, status), sort and page in the URL; create, import, export. */
export function UsersListRoute() {
  const user = useCurrentUser();
  const navigate = useNavigate();
  const [searchParams, setSearchParams] = useSearchParams();
  const params = readUserListParams(searchParams);
  const users = useUsers(toListQuery(params));
  const exporter = useExportUsers();
  const staff = isStaff(user);

  const update = useCallback(
    (change: Partial<UserListParams>, options: { resetPage?: boolean } = {}) => {
      setSearchParams((current) => {
        const next = { ...readUserListParams(current), ...change };
        if (options.resetPage ?? true) next.page = change.page ?? 1;
        return writeUserListParams(next);
      });
    },
    [setSearchParams],
  );
  const onFilters = useCallback((change: Partial<UserListParams>) => update(change), [update]);
  const data = users.data;
  const exportQuery = toExportQuery(params);

  return (
    <div data-testid="users-page">
      <PageHeader
        title="Users"
        actions={
          <>
            <ExportButton
              start={(callbacks) => exporter.mutate(exportQuery, callbacks)}
              running={exporter.isPending}
              progress={exporter.progress}
              cancel={exporter.cancel}
              expectedRows={data?.pagination.totalExact ? data.pagination.total : null}
              noun={['user', 'users']}
            />
            {policies.createUsers(user) && (
              <Link to="/users/import" className="button button--secondary" data-testid="import-users">
                Import CSV
              </Link>
            )}
            {policies.createUsers(user) && <CreateUserButton caller={user} />}
          </>
        }
      >
        <p className="muted">
          {staff ? "Everyone who signs in: the operator's staff and every client's users." : 'The people of your company who sign in.'} Users
          are never deleted: deactivate them instead.
        </p>
      </PageHeader>
      <section className="card card--flush">
        <UsersToolbar value={params} onChange={onFilters} chooseClient={staff} canListClients={policies.viewClients(user)} />
        {users.isError && !data ? (
          <div className="card__pad">
            <QueryError what="the users" error={users.error} onRetry={() => void users.refetch()} retrying={users.isFetching} />
          </div>
        ) : (
          <>
            <UsersTable
              users={data?.users ?? []}
              sort={params.sort}
              onSortChange={(sort) => update({ sort })}
              loading={users.isPending}
              fetching={users.isFetching && users.isPlaceholderData}
              onOpen={(u) => void navigate(`/users/${u.id}`)}
              clientLink={(id) => (policies.viewClients(user) ? `/clients/${id}` : null)}
              empty={
                isFiltered(params) ? (
                  <EmptyState title="No users match">
                    <p>Try another search or clear the filters.</p>
                    <button type="button" className="button button--secondary button--small" onClick={() => setSearchParams(new URLSearchParams())}>
                      Clear search and filters
                    </button>
                  </EmptyState>
                ) : (
                  <EmptyState title="No users yet" />
                )
              }
            />
            {data && (
              <Pagination
                noun="users"
                page={params.page}
                pageSize={params.pageSize}
                total={data.pagination.total}
                totalExact={data.pagination.totalExact}
                hasMore={data.pagination.hasMore}
                busy={users.isFetching}
                onPageChange={(page) => update({ page }, { resetPage: false })}
                onPageSizeChange={(pageSize) => update({ pageSize })}
              />
            )}
          </>
        )}
      </section>
    </div>
  );
}
