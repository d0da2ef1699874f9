import { useCallback } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination } from '@/components/ui/pagination';
import { QueryError } from '@/components/ui/query-error';
import { useClients } from '@/features/clients/api/list-clients';
import { ClientsTable } from '@/features/clients/components/clients-table';
import { ClientsToolbar } from '@/features/clients/components/clients-toolbar';
import { CreateClientButton } from '@/features/clients/components/create-client-dialog';
import { ExportButton } from '@/features/clients/components/export-button';
import {
  readClientListParams,
  toExportQuery,
  toListQuery,
  writeClientListParams,
  type ClientListParams,
} from '@/features/clients/list-params';
import { policies } from '@/lib/authorization';
import { useCurrentUser } from '../../current-user';

/** `/clients`: search, filters, sort and page all live in the URL. */
export function ClientsListRoute() {
  const user = useCurrentUser();
  const navigate = useNavigate();
  const [searchParams, setSearchParams] = useSearchParams();
  const params = readClientListParams(searchParams);
  const clients = useClients(toListQuery(params));

  const update = useCallback(
    (change: Partial<ClientListParams>, options: { resetPage?: boolean } = {}) => {
      setSearchParams((current) => {
        const before = readClientListParams(current);
        const next = { ...before, ...change };
        if (options.resetPage ?? true) next.page = change.page ?? 1;
        return writeClientListParams(next);
      });
    },
    [setSearchParams],
  );
  const onFilters = useCallback((change: Partial<ClientListParams>) => update(change), [update]);

  const data = clients.data;
  const filtered = params.search !== '' || params.status !== '' || params.businessType !== '' || params.leadStatus !== '';

  return (
    <div data-testid="clients-page">
      <PageHeader
        title="Clients"
        actions={
          <>
            <ExportButton
              query={toExportQuery(params)}
              expectedRows={data?.pagination.totalExact ? data.pagination.total : null}
            />
            {policies.createClients(user) && <CreateClientButton />}
          </>
        }
      >
        <p className="muted">Companies you serve, their owners' accounts, modules and credits.</p>
      </PageHeader>
      <section className="card card--flush">
        <ClientsToolbar value={params} onChange={onFilters} />
        {clients.isError && !data ? (
          <div className="card__pad">
            <QueryError what="the clients" error={clients.error} onRetry={() => void clients.refetch()} retrying={clients.isFetching} />
          </div>
        ) : (
          <>
            {clients.isError && (
              <div className="card__pad">
                <QueryError what="this page of clients" error={clients.error} onRetry={() => void clients.refetch()} retrying={clients.isFetching} />
              </div>
            )}
            <ClientsTable
              clients={data?.clients ?? []}
              sort={params.sort}
              onSortChange={(sort) => update({ sort })}
              loading={clients.isPending}
              fetching={clients.isFetching && clients.isPlaceholderData}
              onOpen={(client) => void navigate(`/clients/${client.id}`)}
              empty={
                filtered ? (
                  <EmptyState title="No clients match">
                    <p>Try another search or clear the filters.</p>
                    <button
                      type="button"
                      className="button button--secondary button--small"
                      onClick={() => setSearchParams(new URLSearchParams())}
                    >
                      Clear search and filters
                    </button>
                  </EmptyState>
                ) : (
                  <EmptyState title="No clients yet">
                    <p>Create the first client with “New client”.</p>
                  </EmptyState>
                )
              }
            />
            {data && (
              <Pagination
                noun="clients"
                page={params.page}
                pageSize={params.pageSize}
                total={data.pagination.total}
                totalExact={data.pagination.totalExact}
                hasMore={data.pagination.hasMore}
                busy={clients.isFetching}
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
