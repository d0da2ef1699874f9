import * as Tabs from '@radix-ui/react-tabs';
import { Navigate, useNavigate, useParams, useSearchParams } from 'react-router';
import { LoadingBlock } from '@/components/ui/loading-block';
import { PageHeader } from '@/components/ui/page-header';
import { QueryError } from '@/components/ui/query-error';
import { CompanyActivityPanel } from '@/features/activity/components/activity-panel';
import { useClient, type Client } from '@/features/clients/api/get-client';
import { ClientCreditsPanel } from '@/features/clients/components/client-credits-panel';
import { ClientDetails } from '@/features/clients/components/client-details';
import { ClientModulesPanel } from '@/features/clients/components/client-modules-form';
import { ClientUsersPanel } from '@/features/clients/components/client-users-panel';
import { StatusBadge } from '@/features/clients/components/status-badge';
import { useModules } from '@/features/modules/api/list-modules';
import { policies } from '@/lib/authorization';
import { useCurrentUser } from '../current-user';
import { targetLinks } from '../target-links';
import { NotFoundRoute } from './not-found';

const TABS = [
  { id: 'details', label: 'Details' },
  { id: 'users', label: 'Users' },
  { id: 'modules', label: 'Modules' },
  { id: 'credits', label: 'Credits' },
  { id: 'activity', label: 'Activity' },
] as const;
type TabId = (typeof TABS)[number]['id'];

function usePageParam(): [number, (page: number) => void] {
  const [params, setParams] = useSearchParams();
  const raw = params.get('page');
  const page = raw && /^\d{1,6}$/.test(raw) && Number(raw) >= 1 ? Number(raw) : 1;
  return [page, (next) => setParams(next === 1 ? {} : { page: String(next) })];
}

function Modules({ client }: { client: Client }) {
  const catalogue = useModules();
  if (catalogue.isPending) return <LoadingBlock label="Loading the module catalogue" />;
  if (catalogue.isError) {
    return <QueryError what="the module catalogue" error={catalogue.error} onRetry={() => void catalogue.refetch()} retrying={catalogue.isFetching} />;
  }
  return <ClientModulesPanel clientId={client.id} catalogue={catalogue.data} canEdit={false} />;
}

function Content({ client, tab }: { client: Client; tab: TabId }) {
  const user = useCurrentUser();
  const [page, setPage] = usePageParam();
  switch (tab) {
    case 'details':
      return <ClientDetails client={client} canEdit={false} />;
    case 'users':
      return policies.viewUsers(user) ? (
        <ClientUsersPanel
          client={client}
          canAdd={policies.createUsers(user)}
          page={page}
          onPageChange={setPage}
          userHref={(id) => `/users/${id}`}
        />
      ) : (
        <p className="callout callout--info" role="note">
          This tab needs the View Users permission.
        </p>
      );
    case 'modules':
      return <Modules client={client} />;
    case 'credits':
      return <ClientCreditsPanel client={client} canAdjust={false} page={page} onPageChange={setPage} />;
    case 'activity':
      return policies.viewActivity(user) ? (
        <section aria-labelledby="company-activity-title">
          <h2 id="company-activity-title" className="card__title">
            Activity
          </h2>
          <CompanyActivityPanel companyId={client.id} page={page} onPageChange={setPage} links={targetLinks(user)} />
        </section>
      ) : (
        <p className="callout callout--info" role="note">
          This tab needs the View Activity Logs permission.
        </p>
      );
  }
}

/**
 * `/company/:tab`: a client admin's own company (GET /api/clients/{own id}):
 * its details, users, modules and credits (read only), and its activity.
 */
export function CompanyRoute() {
  const user = useCurrentUser();
  const navigate = useNavigate();
  const { tab } = useParams();
  const companyId = user.companyId ?? null;
  const query = useClient(companyId ?? 0);
  if (companyId === null) return <NotFoundRoute what="company" />;
  if (tab === undefined) return <Navigate to="/company/details" replace />;
  const known = TABS.find((t) => t.id === tab);
  if (!known) return <NotFoundRoute what="page" />;
  if (query.isPending) return <LoadingBlock label="Loading your company" />;
  if (query.isError) return <QueryError what="your company" error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />;
  const client = query.data;
  return (
    <div data-testid="company-page">
      <PageHeader title={client.companyName} documentTitle={`${client.companyName} · ${known.label}`}>
        <p className="page-header__meta">
          <span className="mono">{client.accountNumber}</span>
          <StatusBadge active={client.isActive} />
          <span className="muted">Your company</span>
        </p>
      </PageHeader>
      <Tabs.Root value={known.id} onValueChange={(next) => void navigate(`/company/${next}`)} activationMode="manual">
        <Tabs.List className="page-tabs" aria-label={`${client.companyName} sections`}>
          {TABS.map((t) => (
            <Tabs.Trigger key={t.id} value={t.id} className="page-tabs__tab" data-testid={`tab-${t.id}`}>
              {t.label}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        <Tabs.Content value={known.id} className="card page-tabs__panel" data-testid={`panel-${known.id}`}>
          <Content client={client} tab={known.id} />
        </Tabs.Content>
      </Tabs.Root>
    </div>
  );
}
