import type { SortingState } from '@tanstack/react-table';
import { SORTABLE, type ClientSort, type SortField } from './list-params';

/** The API's sort (`-createdAt`) as the table's sorting state, and back. */
export function sortToSorting(sort: ClientSort): SortingState {
  const desc = sort.startsWith('-');
  return [{ id: desc ? sort.slice(1) : sort, desc }];
}

export function sortingToSort(sorting: SortingState): ClientSort | null {
  const first = sorting[0];
  if (!first || !(SORTABLE as readonly string[]).includes(first.id)) return null;
  return `${first.desc ? '-' : ''}${first.id as SortField}`;
}

