import { EmptyState } from '@/components/ui/empty-state';
import { LoadingBlock } from '@/components/ui/loading-block';
import { Pagination } from '@/components/ui/pagination';
import { QueryError } from '@/components/ui/query-error';
import { useActivity } from '../api/list-activity';
import { ActivityList } from './activity-list';

const PAGE_SIZE = 20;

/** One company's log entries, a page at a time. */
export function CompanyActivityPanel({
  companyId,
  page,
  onPageChange,
}: {
  companyId: number;
  page: number;
  onPageChange: (page: number) => void;
}) {
  const activity = useActivity({ companyId, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  if (activity.isPending) return <LoadingBlock label="Loading the activity" />;
  if (activity.isError) {
    return <QueryError what="the activity" error={activity.error} onRetry={() => void activity.refetch()} retrying={activity.isFetching} />;
  }
  const { entries, pagination } = activity.data;
  return (
    <div data-testid="client-activity">
      {entries.length === 0 ? <EmptyState title="No activity recorded" /> : <ActivityList entries={entries} />}
      <Pagination
        noun="entries"
        page={page}
        pageSize={PAGE_SIZE}
        total={pagination.total}
        totalExact={pagination.totalExact}
        hasMore={pagination.hasMore}
        busy={activity.isFetching}
        onPageChange={onPageChange}
      />
    </div>
  );
}
