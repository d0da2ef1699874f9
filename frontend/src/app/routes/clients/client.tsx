import * as Tabs from '@radix-ui/react-tabs';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { LoadingBlock } from '@/components/ui/loading-block';
import { PageHeader } from '@/components/ui/page-header';
import { QueryError } from '@/components/ui/query-error';
import { CompanyActivityPanel } from '@/features/activity/components/activity-panel';
import { useClient, type Client } from '@/features/clients/api/get-client';
import { ClientActions } from '@/features/clients/components/client-actions';
import { ClientCreditsPanel } from '@/features/clients/components/client-credits-panel';
import { ClientDetails } from '@/features/clients/components/client-details';
import { ClientSync } from '@/features/clients/components/client-sync';
import { ClientModulesPanel } from '@/features/clients/components/client-modules-form';
import { ClientUsersPanel } from '@/features/clients/components/client-users-panel';
import { StatusBadge } from '@/features/clients/components/status-badge';
import { useModules } from '@/features/modules/api/list-modules';
import { ApiError } from '@/lib/api/errors';
import { policies } from '@/lib/authorization';
import { useCurrentUser } from '../../current-user';
import { targetLinks } from '../../target-links';
import { NotFoundRoute } from '../not-found';
import { CLIENT_TABS, type ClientTabId } from './client-tabs';

/** `?page=` of the tab's list (users, ledger, activity). */
function usePageParam(): [number, (page: number) => void] {
  const [params, setParams] = useSearchParams();
  const raw = params.get('page');
  const page = raw && /^\d{1,6}$/.test(raw) && Number(raw) >= 1 ? Number(raw) : 1;
  return [
    page,
    (next) =>
      setParams((current) => {
        const out = new URLSearchParams(current);
        if (next === 1) out.delete('page');
        else out.set('page', String(next));
        return out;
      }),
  ];
}

function ModulesTab({ client, canEdit }: { client: Client; canEdit: boolean }) {
  const catalogue = useModules();
  if (catalogue.isPending) return <LoadingBlock label="Loading the module catalogue" />;
  if (catalogue.isError) {
    return (
      <QueryError what="the module catalogue" error={catalogue.error} onRetry={() => void catalogue.refetch()} retrying={catalogue.isFetching} />
    );
  }
  return <ClientModulesPanel clientId={client.id} catalogue={catalogue.data} canEdit={canEdit} />;
}

function TabContent({ client, tab }: { client: Client; tab: ClientTabId }) {
  const user = useCurrentUser();
  const [page, setPage] = usePageParam();
  const canEdit = policies.editClients(user);
  const spec = CLIENT_TABS.find((t) => t.id === tab)!;
  if (!spec.allowed(user)) {
    return (
      <p className="callout callout--info" role="note" data-testid="tab-forbidden">
        This tab needs {'needs' in spec ? spec.needs : 'a permission you do not hold'}.
      </p>
    );
  }
  switch (tab) {
    case 'details':
      return (
        <>
          <ClientDetails client={client} canEdit={canEdit} />
          <ClientSync client={client} canRepair={canEdit} />
        </>
      );
    case 'users':
      return (
        <ClientUsersPanel
          client={client}
          canAdd={policies.createUsers(user)}
          page={page}
          onPageChange={setPage}
          userHref={(id) => `/users/${id}`}
        />
      );
    case 'modules':
      return <ModulesTab client={client} canEdit={canEdit} />;
    case 'credits':
      return <ClientCreditsPanel client={client} canAdjust={canEdit} page={page} onPageChange={setPage} />;
    case 'activity':
      return (
        <section aria-labelledby="client-activity-title">
          <h2 id="client-activity-title" className="card__title">
            Activity
          </h2>
          <CompanyActivityPanel companyId={client.id} page={page} onPageChange={setPage} links={targetLinks(user)} />
        </section>
      );
  }
}

/** `/clients/:id/:tab`: the client's header and actions, and its tabs. */
export function ClientRoute({ clientId, tab }: { clientId: number; tab: ClientTabId }) {
  const user = useCurrentUser();
  const navigate = useNavigate();
  const query = useClient(clientId);

  if (query.isPending) return <LoadingBlock label="Loading the client" />;
  if (query.isError) {
    if (query.error instanceof ApiError && query.error.status === 404) return <NotFoundRoute what="client" />;
    return <QueryError what="the client" error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />;
  }
  const client = query.data;
  const tabLabel = CLIENT_TABS.find((t) => t.id === tab)!.label;

  return (
    <div data-testid="client-page">
      <PageHeader
        title={client.companyName}
        documentTitle={`${client.companyName} · ${tabLabel}`}
        eyebrow={
          <Link to="/clients" className="back-link">
            ← Clients
          </Link>
        }
        actions={
          <ClientActions
            client={client}
            canToggle={policies.toggleClient(user, client.isActive)}
            canReset={policies.editClients(user)}
          />
        }
      >
        <p className="page-header__meta">
          <span className="mono">{client.accountNumber}</span>
          <StatusBadge active={client.isActive} />
          {client.username && <span className="muted">Owner @{client.username}</span>}
        </p>
      </PageHeader>
      <Tabs.Root value={tab} onValueChange={(next) => void navigate(`/clients/${client.id}/${next}`)} activationMode="manual">
        <Tabs.List className="page-tabs" aria-label={`${client.companyName} sections`}>
          {CLIENT_TABS.filter((t) => t.allowed(user)).map((t) => (
            <Tabs.Trigger key={t.id} value={t.id} className="page-tabs__tab" data-testid={`tab-${t.id}`}>
              {t.label}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        <Tabs.Content value={tab} className="card page-tabs__panel" data-testid={`panel-${tab}`}>
          <TabContent client={client} tab={tab} />
        </Tabs.Content>
      </Tabs.Root>
    </div>
  );
}
