import { createColumnHelper, rowSortingFeature, tableFeatures, type ColumnHelper, type RowData } from '@tanstack/react-table';

/** Sorting only: pages, filters and sorts are the server's (manual mode). */
export const dataTableFeatures = tableFeatures({ rowSortingFeature });
export type DataTableFeatures = typeof dataTableFeatures;
export type DataTableColumns<T extends RowData> = ReturnType<ColumnHelper<DataTableFeatures, T>['columns']>;

/** Column definitions for `DataTable`. */
export function dataTableColumnHelper<T extends RowData>(): ColumnHelper<DataTableFeatures, T> {
  return createColumnHelper<DataTableFeatures, T>();
}

declare module '@tanstack/react-table' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TFeatures, TData, TValue> {
    /** Extra class on the column's cells, e.g. `hide-narrow` to drop it at phone width. */
    className?: string;
  }
}
