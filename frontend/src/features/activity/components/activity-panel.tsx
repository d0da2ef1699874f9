import { EmptyState } from '@/components/ui/empty-state';
import { LoadingBlock } from '@/components/ui/loading-block';
import { Pagination } from '@/components/ui/pagination';
import { QueryError } from '@/components/ui/query-error';
import { useActivity, type ActivityQuery } from '../api/list-activity';
import type { TargetLinks } from '../describe';
import { ActivityList } from './activity-list';

const PAGE_SIZE = 20;

/** Entries matching a fixed filter (a company's, a user's), a page at a time. */
export function ActivityPanel({
  filter,
  page,
  onPageChange,
  links,
  testId = 'client-activity',
}: {
  filter: Omit<ActivityQuery, 'limit' | 'offset'>;
  page: number;
  onPageChange: (page: number) => void;
  links?: TargetLinks;
  testId?: string;
}) {
  const activity = useActivity({ ...filter, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  if (activity.isPending) return <LoadingBlock label="Loading the activity" />;
  if (activity.isError) {
    return <QueryError what="the activity" error={activity.error} onRetry={() => void activity.refetch()} retrying={activity.isFetching} />;
  }
  const { entries, pagination } = activity.data;
  return (
    <div data-testid={testId}>
      {entries.length === 0 ? <EmptyState title="No activity recorded" /> : <ActivityList entries={entries} links={links} />}
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

/** One company's log entries, a page at a time. */
export function CompanyActivityPanel({
  companyId,
  page,
  onPageChange,
  links,
}: {
  companyId: number;
  page: number;
  onPageChange: (page: number) => void;
  links?: TargetLinks;
}) {
  return <ActivityPanel filter={{ companyId }} page={page} onPageChange={onPageChange} links={links} />;
}
