import { useTable, type RowData, type SortingState } from '@tanstack/react-table';
import type { MouseEvent, ReactNode } from 'react';
import { dataTableFeatures as features, type DataTableColumns } from './data-table-columns';
import { Spinner } from './spinner';

export interface DataTableProps<T extends RowData> {
  /** Names the table for screen readers (rendered as a hidden caption). */
  caption: string;
  columns: DataTableColumns<T>;
  data: T[];
  getRowId: (row: T) => string;
  /** The server's sort, controlled from outside (e.g. the URL). One column at a time. */
  sorting?: SortingState;
  onSortingChange?: (sorting: SortingState) => void;
  /** No data yet: show a spinner in place of the rows. */
  loading?: boolean;
  /** New data on its way while the old rows stay: dim them. */
  fetching?: boolean;
  empty: ReactNode;
  /** Makes rows clickable; keep a real link in one cell for keyboard users. */
  onRowClick?: (row: T) => void;
  testId?: string;
}

const EMPTY_SORTING: SortingState = [];

/**
 * A table (TanStack Table, headless) with server-side sorting: sortable headers
 * are buttons and carry `aria-sort`; the rows come sorted from the API.
 */
export function DataTable<T extends RowData>({
  caption,
  columns,
  data,
  getRowId,
  sorting = EMPTY_SORTING,
  onSortingChange,
  loading = false,
  fetching = false,
  empty,
  onRowClick,
  testId,
}: DataTableProps<T>) {
  const table = useTable({
    features,
    columns,
    data,
    getRowId,
    manualSorting: true,
    enableSorting: onSortingChange !== undefined,
    enableSortingRemoval: false,
    enableMultiSort: false,
    state: { sorting },
    onSortingChange: (updater) => {
      onSortingChange?.(typeof updater === 'function' ? updater(sorting) : updater);
    },
  });
  const rows = table.getRowModel().rows;
  const columnCount = table.getAllLeafColumns().length;

  const clickRow = (event: MouseEvent<HTMLTableRowElement>, row: T) => {
    // A click on a link or button in the row does its own thing.
    if ((event.target as HTMLElement).closest('a, button, input, select, textarea')) return;
    onRowClick?.(row);
  };

  return (
    <div
      className={['table-wrap', fetching ? 'table-wrap--fetching' : null].filter(Boolean).join(' ')}
      role="region"
      aria-label={caption}
      aria-busy={loading || fetching || undefined}
      tabIndex={0}
      data-testid={testId}
    >
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const column = header.column;
                const sorted = column.getIsSorted();
                const className = column.columnDef.meta?.className;
                return (
                  <th
                    key={header.id}
                    scope="col"
                    className={className}
                    aria-sort={
                      column.getCanSort()
                        ? sorted === 'asc'
                          ? 'ascending'
                          : sorted === 'desc'
                            ? 'descending'
                            : 'none'
                        : undefined
                    }
                  >
                    {header.isPlaceholder ? null : column.getCanSort() ? (
                      <button
                        type="button"
                        className="table__sort"
                        onClick={column.getToggleSortingHandler()}
                        data-testid={`sort-${column.id}`}
                      >
                        <table.FlexRender header={header} />
                        <span className="table__sort-icon" aria-hidden="true">
                          {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}
                        </span>
                      </button>
                    ) : (
                      <table.FlexRender header={header} />
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {loading ? (
            <tr>
              <td colSpan={columnCount} className="table__state">
                <Spinner label={`Loading ${caption.toLowerCase()}`} />
              </td>
            </tr>
          ) : rows.length === 0 ? (
            <tr>
              <td colSpan={columnCount} className="table__state">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr
                key={row.id}
                className={onRowClick ? 'table__row--clickable' : undefined}
                onClick={onRowClick ? (e) => clickRow(e, row.original) : undefined}
                data-testid="table-row"
              >
                {row.getAllCells().map((cell) => (
                  <td key={cell.id} className={cell.column.columnDef.meta?.className}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
