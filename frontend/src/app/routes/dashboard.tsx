import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { LoadingBlock } from '@/components/ui/loading-block';
import { PageHeader } from '@/components/ui/page-header';
import { QueryError } from '@/components/ui/query-error';
import { ActivityList } from '@/features/activity/components/activity-list';
import { useStats, type Stats } from '@/features/dashboard/api/get-stats';
import { LoginsChart, NewClientsChart } from '@/features/dashboard/components/charts';
import { StatCards } from '@/features/dashboard/components/stat-cards';
import { policies } from '@/lib/authorization';
import { formatDateTime } from '@/lib/format';
import { useCurrentUser } from '../current-user';

/** The parts of the figures the caller may see; the API answers null for the others. */
function Figures({ stats, clientsLink }: { stats: Stats; clientsLink: boolean }) {
  const { newClientsPerWeek, loginsPerDay, recentActivity } = stats;
  if (!stats.clients && !stats.users && !stats.logins && !recentActivity) {
    return (
      <EmptyState title="No figures for your account">
        <p>Your role and permissions give no figures to show here.</p>
      </EmptyState>
    );
  }
  return (
    <>
      <StatCards stats={stats} clientsLink={clientsLink} />
      {(newClientsPerWeek || loginsPerDay) && (
        <div className="chart-grid">
          {newClientsPerWeek && <NewClientsChart weeks={newClientsPerWeek} />}
          {loginsPerDay && <LoginsChart days={loginsPerDay} />}
        </div>
      )}
      {recentActivity && (
        <section className="card" aria-labelledby="recent-activity-title" data-testid="recent-activity">
          <h2 id="recent-activity-title" className="card__title">
            Latest activity
          </h2>
          {recentActivity.length === 0 ? (
            <EmptyState title="Nothing recorded yet" />
          ) : (
            <ActivityList entries={recentActivity} showChanges={false} />
          )}
        </section>
      )}
    </>
  );
}

/** `/`: the figures, charts and latest activity the signed-in user may see (GET /api/stats). */
export function DashboardRoute() {
  const user = useCurrentUser();
  const stats = useStats();
  const data = stats.data;

  return (
    <div data-testid="dashboard-page">
      <PageHeader
        title="Dashboard"
        actions={
          data && (
            <Button variant="secondary" loading={stats.isFetching} onClick={() => void stats.refetch()} data-testid="stats-refresh">
              Refresh
            </Button>
          )
        }
      >
        <p className="muted">
          Welcome, {user.name}.
          {data && (
            <>
              {' '}
              Figures as of <span data-testid="stats-generated-at">{formatDateTime(data.generatedAt)}</span>.
            </>
          )}
        </p>
      </PageHeader>
      {data ? (
        <Figures stats={data} clientsLink={policies.viewClients(user)} />
      ) : stats.isError ? (
        <QueryError what="the figures" error={stats.error} onRetry={() => void stats.refetch()} retrying={stats.isFetching} />
      ) : (
        <LoadingBlock label="Loading the figures" />
      )}
    </div>
  );
}
