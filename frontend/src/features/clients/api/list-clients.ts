import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import type { ClientListQuery } from '../list-params';
import { clientKeys } from './keys';

export type ClientList = Schemas['ClientList'];

/** GET /api/clients: a page of clients, searched, filtered and sorted by the server. */
export function listClients(query: ClientListQuery, signal?: AbortSignal): Promise<ClientList> {
  return unwrap(getApi().client.GET('/api/clients', { params: { query }, signal }));
}

export function listClientsQueryOptions(query: ClientListQuery) {
  return queryOptions({
    queryKey: clientKeys.list(query),
    queryFn: ({ signal }) => listClients(query, signal),
    // Keep the last page on screen while the next one loads.
    placeholderData: keepPreviousData,
  });
}

export function useClients(query: ClientListQuery) {
  return useQuery(listClientsQueryOptions(query));
}
