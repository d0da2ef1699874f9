import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { DataTable } from '@/components/ui/data-table';
import { dataTableColumnHelper } from '@/components/ui/data-table-columns';
import { formatDateTime, formatNumber } from '@/lib/format';
import type { Client } from '../api/get-client';
import { BUSINESS_TYPE_LABELS, LEAD_STATUS_LABELS } from '../labels';
import type { ClientSort } from '../list-params';
import { sortingToSort, sortToSorting } from '../sorting';
import { StatusBadge } from './status-badge';

const column = dataTableColumnHelper<Client>();

const columns = column.columns([
  column.accessor('accountNumber', {
    header: 'Account',
    cell: (info) => <span className="mono">{info.getValue()}</span>,
  }),
  column.accessor('companyName', {
    header: 'Company',
    cell: (info) => (
      <div className="cell-stack">
        <Link to={`/clients/${info.row.original.id}`} className="table__link" data-testid="client-link">
          {info.getValue()}
        </Link>
        <span className="muted cell-small">{info.row.original.contactEmail}</span>
        {info.row.original.username && (
          <span className="muted cell-small hide-narrow">
            Owner <span className="mono">@{info.row.original.username}</span>
          </span>
        )}
      </div>
    ),
  }),
  column.accessor('businessType', {
    header: 'Business',
    enableSorting: false,
    meta: { className: 'hide-narrow' },
    cell: (info) => {
      const value = info.getValue();
      return value ? BUSINESS_TYPE_LABELS[value] : '—';
    },
  }),
  column.accessor('leadStatus', {
    header: 'Lead status',
    enableSorting: false,
    meta: { className: 'hide-narrow' },
    cell: (info) => <span className={`pill pill--${info.getValue()}`}>{LEAD_STATUS_LABELS[info.getValue()]}</span>,
  }),
  column.accessor('isActive', {
    header: 'Status',
    enableSorting: false,
    cell: (info) => <StatusBadge active={info.getValue()} />,
  }),
  column.accessor('credits', {
    header: 'Credits',
    enableSorting: false,
    meta: { className: 'numeric hide-narrow' },
    cell: (info) => formatNumber(info.getValue()),
  }),
  column.accessor('lastLogin', {
    header: 'Last login',
    meta: { className: 'hide-narrow' },
    cell: (info) => formatDateTime(info.getValue()),
  }),
  column.accessor('createdAt', {
    header: 'Created',
    meta: { className: 'hide-narrow' },
    cell: (info) => formatDateTime(info.getValue()),
  }),
]);

export function ClientsTable({
  clients,
  sort,
  onSortChange,
  loading,
  fetching,
  empty,
  onOpen,
}: {
  clients: Client[];
  sort: ClientSort;
  onSortChange: (sort: ClientSort) => void;
  loading: boolean;
  fetching: boolean;
  empty: ReactNode;
  onOpen: (client: Client) => void;
}) {
  return (
    <DataTable
      caption="Clients"
      columns={columns}
      data={clients}
      getRowId={(c) => String(c.id)}
      sorting={sortToSorting(sort)}
      onSortingChange={(sorting) => {
        const next = sortingToSort(sorting);
        if (next) onSortChange(next);
      }}
      loading={loading}
      fetching={fetching}
      empty={empty}
      onRowClick={onOpen}
      testId="clients-table"
    />
  );
}
