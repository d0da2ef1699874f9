import { DataTable } from '@/components/ui/data-table';
import { dataTableColumnHelper } from '@/components/ui/data-table-columns';
import { EmptyState } from '@/components/ui/empty-state';
import { Pagination } from '@/components/ui/pagination';
import { QueryError } from '@/components/ui/query-error';
import { useToast } from '@/components/ui/use-toast';
import type { Schemas } from '@/lib/api/client';
import { formatDateTime, formatNumber } from '@/lib/format';
import { useAdjustClientCredits } from '../api/adjust-client-credits';
import type { Client } from '../api/get-client';
import { useClientCredits } from '../api/list-client-credits';
import { CreditAdjustForm } from './credit-adjust-form';

type CreditEntry = Schemas['CreditEntryView'];
const PAGE_SIZE = 10;
const column = dataTableColumnHelper<CreditEntry>();

const columns = column.columns([
  column.accessor('createdAt', { header: 'When', cell: (info) => formatDateTime(info.getValue()) }),
  column.accessor('delta', {
    header: 'Change',
    meta: { className: 'numeric' },
    cell: (info) => {
      const delta = info.getValue();
      return <span className={delta < 0 ? 'negative' : 'positive'}>{`${delta > 0 ? '+' : '−'}${formatNumber(Math.abs(delta))}`}</span>;
    },
  }),
  column.accessor('balanceAfter', { header: 'Balance', meta: { className: 'numeric' }, cell: (info) => formatNumber(info.getValue()) }),
  column.accessor('reason', { header: 'Reason' }),
]);

/** The balance, the ledger page by page, and (for editors) an adjustment. */
export function ClientCreditsPanel({
  client,
  canAdjust,
  page,
  onPageChange,
}: {
  client: Client;
  canAdjust: boolean;
  page: number;
  onPageChange: (page: number) => void;
}) {
  const ledger = useClientCredits(client.id, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const adjust = useAdjustClientCredits(client.id);
  const toast = useToast();
  const balance = ledger.data?.balance ?? client.credits;

  return (
    <section aria-labelledby="client-credits-title" data-testid="client-credits">
      <h2 id="client-credits-title" className="card__title">
        Credits
      </h2>
      <div className="credits-layout">
        <div className="credits-balance">
          <p className="stat__label">Balance</p>
          <p className="credits-balance__value" data-testid="credit-balance">
            {formatNumber(balance)}
          </p>
          <p className="muted small">Never below zero; changed only through the ledger.</p>
        </div>
        {canAdjust && (
          <div className="credits-form">
            <h3 className="section-title">Adjust</h3>
            <CreditAdjustForm
              onSubmit={async (body) => {
                const result = await adjust.mutateAsync(body);
                toast({
                  title: 'Credits adjusted',
                  description: `${body.delta > 0 ? 'Added' : 'Deducted'} ${formatNumber(Math.abs(body.delta))}; the balance is ${formatNumber(result.balance)}.`,
                });
                return result;
              }}
            />
          </div>
        )}
      </div>
      <h3 className="section-title">Ledger</h3>
      {ledger.isError ? (
        <QueryError what="the ledger" error={ledger.error} onRetry={() => void ledger.refetch()} retrying={ledger.isFetching} />
      ) : (
        <>
          <DataTable
            caption={`Credits ledger of ${client.companyName}`}
            columns={columns}
            data={ledger.data?.entries ?? []}
            getRowId={(e) => String(e.id)}
            loading={ledger.isPending}
            fetching={ledger.isFetching && ledger.isPlaceholderData}
            empty={<EmptyState title="No adjustments yet" />}
            testId="credits-table"
          />
          {ledger.data && (
            <Pagination
              noun="entries"
              page={page}
              pageSize={PAGE_SIZE}
              total={ledger.data.pagination.total}
              totalExact={ledger.data.pagination.totalExact}
              hasMore={ledger.data.pagination.hasMore}
              busy={ledger.isFetching}
              onPageChange={onPageChange}
            />
          )}
        </>
      )}
    </section>
  );
}
