import { Link } from 'react-router';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { LoadingBlock } from '@/components/ui/loading-block';
import { PageHeader } from '@/components/ui/page-header';
import { QueryError } from '@/components/ui/query-error';
import { ActivityList } from '@/features/activity/components/activity-list';
import type { TargetLinks } from '@/features/activity/describe';
import { useClientModules } from '@/features/clients/api/get-client-modules';
import { useClient } from '@/features/clients/api/get-client';
import { useStats, type Stats } from '@/features/dashboard/api/get-stats';
import { LoginsChart, NewClientsChart } from '@/features/dashboard/components/charts';
import { StatCards } from '@/features/dashboard/components/stat-cards';
import { policies } from '@/lib/authorization';
import { formatDateTime, formatNumber } from '@/lib/format';
import { useCurrentUser } from '../current-user';
import { targetLinks } from '../target-links';

/** A client admin's own company at a glance: its name, credits and modules, with a way in. */
function CompanySummary({ companyId }: { companyId: number }) {
  const client = useClient(companyId);
  const modules = useClientModules(companyId);
  if (!client.data) return null;
  const c = client.data;
  return (
    <section className="card company-summary" aria-labelledby="company-summary-title" data-testid="company-summary">
      <div>
        <h2 id="company-summary-title" className="card__title">
          {c.companyName}
        </h2>
        <p className="muted">
          <span className="mono">{c.accountNumber}</span> · Credits <strong data-testid="company-credits">{formatNumber(c.credits)}</strong> · Modules{' '}
          {modules.data ? (modules.data.modules.length ? modules.data.modules.join(', ') : 'none') : '…'}
        </p>
      </div>
      <Link to="/company/users" className="button button--secondary" data-testid="company-open">
        Manage your company
      </Link>
    </section>
  );
}

/** The parts of the figures the caller may see; the API answers null for the others. */
function Figures({ stats, clientsLink, links }: { stats: Stats; clientsLink: boolean; links: TargetLinks }) {
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
            <ActivityList entries={recentActivity} showChanges={false} links={links} />
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
        <>
          {policies.viewOwnCompany(user) && user.companyId != null && <CompanySummary companyId={user.companyId} />}
          <Figures stats={data} clientsLink={policies.viewClients(user)} links={targetLinks(user)} />
        </>
      ) : stats.isError ? (
        <QueryError what="the figures" error={stats.error} onRetry={() => void stats.refetch()} retrying={stats.isFetching} />
      ) : (
        <LoadingBlock label="Loading the figures" />
      )}
    </div>
  );
}
