import { Link, useSearchParams } from 'react-router';
import { LoadingBlock } from '@/components/ui/loading-block';
import { PageHeader } from '@/components/ui/page-header';
import { QueryError } from '@/components/ui/query-error';
import { ActivityPanel } from '@/features/activity/components/activity-panel';
import { useCompany } from '@/features/users/api/get-company';
import { useUser } from '@/features/users/api/get-user';
import type { ManagedUser } from '@/features/users/api/list-users';
import { PermissionsPanel } from '@/features/users/components/permissions-editor';
import { UserActions } from '@/features/users/components/user-actions';
import { UserDetails } from '@/features/users/components/user-details';
import { EditUserButton } from '@/features/users/components/user-form';
import { UserModulesPanel } from '@/features/users/components/user-modules-panel';
import { UserStatusBadge } from '@/features/users/components/users-table';
import { ApiError } from '@/lib/api/errors';
import { isStaff, mayManage, policies, ROLE_NAMES } from '@/lib/authorization';
import { useCurrentUser } from '../../current-user';
import { targetLinks } from '../../target-links';
import { NotFoundRoute } from '../not-found';

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

function UserScreen({ user }: { user: ManagedUser }) {
  const caller = useCurrentUser();
  const [page, setPage] = usePageParam();
  // The client (for its name, and its owner: above every other user of the client for client-side callers).
  const mayReadClient = user.companyId != null && (policies.viewClients(caller) || (policies.viewOwnCompany(caller) && caller.companyId === user.companyId));
  const company = useCompany(user.companyId ?? null, { enabled: mayReadClient });
  const ownerId = company.data?.ownerId ?? null;
  const verdict = mayManage(caller, user, ownerId);
  const waitingForOwner = mayReadClient && company.isPending && !isStaff(caller);
  const canChange = verdict.ok && !waitingForOwner && policies.editUsers(caller);
  const readOnlyReason = verdict.ok ? (policies.editUsers(caller) ? null : 'Changing users needs the Edit Users permission (3).') : verdict.reason;
  const own = user.id === caller.id;
  const clientHref = user.companyId == null ? null : policies.viewClients(caller) ? `/clients/${user.companyId}` : policies.viewOwnCompany(caller) ? '/company' : null;

  return (
    <div data-testid="user-page">
      <PageHeader
        title={user.name}
        documentTitle={`${user.name} · Users`}
        eyebrow={
          <Link to="/users" className="back-link">
            ← Users
          </Link>
        }
        actions={
          canChange && (
            <>
              <EditUserButton caller={caller} user={user} />
              <UserActions user={user} canReset canToggle />
            </>
          )
        }
      >
        <p className="page-header__meta">
          <span className="mono">@{user.username}</span>
          <span className={`badge badge--${user.role}`}>{ROLE_NAMES[user.role]}</span>
          <UserStatusBadge user={user} />
        </p>
      </PageHeader>
      {readOnlyReason && (
        <p className="callout callout--info" role="note" data-testid="user-readonly">
          {readOnlyReason}
          {own && (
            <>
              {' '}
              <Link to="/profile">Open your profile</Link>.
            </>
          )}
        </p>
      )}
      <div className="stack">
        <section className="card" aria-labelledby="user-details-title">
          <h2 id="user-details-title" className="card__title">
            Details
          </h2>
          <UserDetails user={user} companyName={company.data?.companyName ?? null} clientHref={clientHref} isOwner={ownerId === user.id} />
        </section>
        <div className="card">
          <UserModulesPanel user={user} readOnlyReason={canChange ? null : (readOnlyReason ?? 'Read-only.')} />
        </div>
        <div className="card">
          <PermissionsPanel caller={caller} user={user} ownerId={ownerId} />
        </div>
        {policies.viewActivity(caller) && (
          <section className="card" aria-labelledby="user-activity-title">
            <h2 id="user-activity-title" className="card__title">
              Activity
            </h2>
            <ActivityPanel
              filter={{ targetType: 'user', targetId: String(user.id) }}
              page={page}
              onPageChange={setPage}
              links={targetLinks(caller)}
              testId="user-activity"
            />
          </section>
        )}
      </div>
    </div>
  );
}

/** `/users/:id`: a user's details, modules, permissions and activity; actions for those who may. */
export function UserRoute({ userId }: { userId: number }) {
  const query = useUser(userId);
  if (query.isPending) return <LoadingBlock label="Loading the user" />;
  if (query.isError) {
    if (query.error instanceof ApiError && query.error.status === 404) return <NotFoundRoute what="user" />;
    return <QueryError what="the user" error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />;
  }
  return <UserScreen user={query.data} />;
}
