import { useCallback } from 'react';
import { useSearchParams } from 'react-router';
import { EmptyState } from '@/components/ui/empty-state';
import { ExportButton } from '@/components/ui/export-button';
import { LoadingBlock } from '@/components/ui/loading-block';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination } from '@/components/ui/pagination';
import { QueryError } from '@/components/ui/query-error';
import { useExportActivity } from '@/features/activity/api/export-activity';
import { useActivity } from '@/features/activity/api/list-activity';
import { ActivityFilters } from '@/features/activity/components/activity-filters';
import { ActivityList } from '@/features/activity/components/activity-list';
import {
  isFiltered,
  readActivityParams,
  toActivityExportQuery,
  toActivityQuery,
  writeActivityParams,
  type ActivityParams,
} from '@/features/activity/list-params';
import { ClientField } from '@/features/users/components/client-field';
import { isStaff, policies } from '@/lib/authorization';
import { useCurrentUser } from '../current-user';
import { targetLinks } from '../target-links';

/** `/activity`: the log, filtered in the URL (actor, action, client, target, days), with diffs, pages and export. */
export function ActivityRoute() {
  const user = useCurrentUser();
  const [searchParams, setSearchParams] = useSearchParams();
  const params = readActivityParams(searchParams);
  const activity = useActivity(toActivityQuery(params));
  const exporter = useExportActivity();
  const data = activity.data;

  const update = useCallback(
    (change: Partial<ActivityParams>, options: { resetPage?: boolean } = {}) => {
      setSearchParams((current) => {
        const next = { ...readActivityParams(current), ...change };
        if (options.resetPage ?? true) next.page = change.page ?? 1;
        return writeActivityParams(next);
      });
    },
    [setSearchParams],
  );
  const onFilters = useCallback((change: Partial<ActivityParams>) => update(change), [update]);
  const actorHref = (actorId: number) => `/activity?${writeActivityParams({ ...params, actorId, page: 1 }).toString()}`;
  const exportQuery = toActivityExportQuery(params);

  return (
    <div data-testid="activity-page">
      <PageHeader
        title="Activity log"
        actions={
          <ExportButton
            start={(callbacks) => exporter.mutate(exportQuery, callbacks)}
            running={exporter.isPending}
            progress={exporter.progress}
            cancel={exporter.cancel}
            expectedRows={data?.pagination.totalExact ? data.pagination.total : null}
            noun={['entry', 'entries']}
          />
        }
      >
        <p className="muted">
          {isStaff(user) ? 'Every change and sign-in, across every client.' : "Every change and sign-in in your company."} Secrets are never shown.
        </p>
      </PageHeader>
      <section className="card">
        <ActivityFilters
          value={params}
          onChange={onFilters}
          canSearchActors={policies.viewUsers(user)}
          clientFilter={
            isStaff(user) ? (
              <ClientField
                value={params.companyId === null ? '' : String(params.companyId)}
                onChange={(id) => update({ companyId: id === '' ? null : Number(id) })}
                canList={policies.viewClients(user)}
                allowNone
                testId="filter-client"
              />
            ) : undefined
          }
        />
        {isFiltered(params) && (
          <p className="filters__clear">
            <button type="button" className="button button--ghost button--small" onClick={() => setSearchParams(new URLSearchParams())} data-testid="clear-filters">
              Clear the filters
            </button>
          </p>
        )}
      </section>
      <section className="card" aria-label="Entries" data-testid="activity-entries">
        {activity.isError && !data ? (
          <QueryError what="the activity log" error={activity.error} onRetry={() => void activity.refetch()} retrying={activity.isFetching} />
        ) : !data ? (
          <LoadingBlock label="Loading the activity log" />
        ) : (
          <div className={activity.isFetching && activity.isPlaceholderData ? 'table-wrap--fetching' : undefined}>
            {data.entries.length === 0 ? (
              <EmptyState title={isFiltered(params) ? 'No entries match' : 'Nothing recorded yet'} />
            ) : (
              <ActivityList entries={data.entries} links={targetLinks(user)} actorHref={actorHref} />
            )}
            <Pagination
              noun="entries"
              page={params.page}
              pageSize={params.pageSize}
              total={data.pagination.total}
              totalExact={data.pagination.totalExact}
              hasMore={data.pagination.hasMore}
              busy={activity.isFetching}
              onPageChange={(page) => update({ page }, { resetPage: false })}
              onPageSizeChange={(pageSize) => update({ pageSize })}
            />
          </div>
        )}
      </section>
    </div>
  );
}
