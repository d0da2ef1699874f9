import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { clientKeys } from './keys';

export type CreditLedger = Schemas['CreditLedger'];

/** GET /api/clients/{id}/credits: the balance and a page of the ledger, newest first. */
export function listClientCredits(
  id: number,
  page: { limit: number; offset: number },
  signal?: AbortSignal,
): Promise<CreditLedger> {
  return unwrap(getApi().client.GET('/api/clients/{id}/credits', { params: { path: { id }, query: page }, signal }));
}

export function listClientCreditsQueryOptions(id: number, page: { limit: number; offset: number }) {
  return queryOptions({
    queryKey: clientKeys.creditsPage(id, page),
    queryFn: ({ signal }) => listClientCredits(id, page, signal),
    placeholderData: keepPreviousData,
  });
}

export function useClientCredits(id: number, page: { limit: number; offset: number }) {
  return useQuery(listClientCreditsQueryOptions(id, page));
}
