import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { useNotify } from '@/components/ui/use-notify';
import type { Schemas } from '@/lib/api/client';
import { errorMessage } from '@/lib/api/errors';
import { formatDateTime } from '@/lib/format';
import type { Client } from '../api/get-client';
import { useReconcileClient, type Reconciliation } from '../api/reconcile-client';

const STATUS: Record<Schemas['SyncStatusView'], { label: string; badge: string }> = {
  provisioning: { label: 'Being set up', badge: 'pending' },
  in_sync: { label: 'In sync', badge: 'active' },
  pending: { label: 'Changes on their way', badge: 'pending' },
  failing: { label: 'Failing', badge: 'inactive' },
};

/**
 * The client's own database (seed 000): how far it is behind, the last error,
 * and a check (or repair) of it against the main database.
 */
export function ClientSync({ client, canRepair }: { client: Client; canRepair: boolean }) {
  const reconcile = useReconcileClient(client.id);
  const notify = useNotify();
  const [result, setResult] = useState<Reconciliation | null>(null);
  const sync = client.sync;
  if (!sync) return null;
  const run = (repair: boolean) =>
    reconcile.mutate(repair, {
      onSuccess: setResult,
      onError: (error) => notify({ variant: 'error', title: repair ? 'Not repaired' : 'Not checked', message: errorMessage(error), retry: () => run(repair) }),
    });
  const status = STATUS[sync.status];
  return (
    <section aria-labelledby="client-sync-title" className="client-sync" data-testid="client-sync">
      <h3 id="client-sync-title" className="section-title">
        Client database
      </h3>
      <dl className="facts facts--three">
        <div>
          <dt>State</dt>
          <dd>
            <span className={`badge badge--${status.badge}`} data-testid="sync-status">
              {status.label}
            </span>
          </dd>
        </div>
        <div>
          <dt>Changes waiting</dt>
          <dd data-testid="sync-pending">{sync.pending}</dd>
        </div>
        <div>
          <dt>Last applied</dt>
          <dd>{formatDateTime(sync.lastAppliedAt)}</dd>
        </div>
        {sync.lastError && (
          <div className="facts__wide">
            <dt>Last error</dt>
            <dd>{sync.lastError}</dd>
          </div>
        )}
      </dl>
      {canRepair && (
        <div className="form__actions form__actions--start client-sync__actions">
          <Button variant="secondary" loading={reconcile.isPending && !reconcile.variables} onClick={() => run(false)} data-testid="sync-check">
            Compare with the main database
          </Button>
          {result && result.drift.length > 0 && !result.repaired && (
            <Button loading={reconcile.isPending && reconcile.variables} onClick={() => run(true)} data-testid="sync-repair">
              Repair the differences
            </Button>
          )}
        </div>
      )}
      {result && (
        <div className="callout callout--info" role="status" data-testid="sync-result">
          {result.drift.length === 0 ? (
            <p>Both databases agree.</p>
          ) : (
            <div>
              <p className="callout__title">
                {result.repaired ? 'Repaired' : 'Differences'}: {result.drift.length} {result.drift.length === 1 ? 'user' : 'users'}
              </p>
              <ul className="plain-list">
                {result.drift.map((d) => (
                  <li key={`${d.userId}-${d.kind}`}>
                    User #{d.userId}: {d.kind}
                    {d.fields.length ? ` (${d.fields.join(', ')})` : ''}
                  </li>
                ))}
              </ul>
              {result.pending > 0 && !result.repaired && (
                <p>
                  {result.pending} {result.pending === 1 ? 'change is' : 'changes are'} still on the way to the client&apos;s
                  database: they show here until they land.
                </p>
              )}
            </div>
          )}
        </div>
      )}
    </section>
  );
}
