import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { userKeys } from './keys';

export type ClientOption = Pick<Schemas['ClientView'], 'id' | 'companyName' | 'accountNumber' | 'isActive'>;

/** GET /api/clients (staff with permission 20): clients to choose a user's company from, by name. */
export async function searchClients(search: string, signal?: AbortSignal): Promise<ClientOption[]> {
  const query = { limit: 50, sort: 'companyName' as const, ...(search.trim() ? { search: search.trim() } : {}) };
  const { clients } = await unwrap(getApi().client.GET('/api/clients', { params: { query }, signal }));
  return clients;
}

export function searchClientsQueryOptions(search: string) {
  return queryOptions({
    queryKey: userKeys.clientOptions(search),
    queryFn: ({ signal }) => searchClients(search, signal),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

export function useClientOptions(search: string, options: { enabled?: boolean } = {}) {
  return useQuery({ ...searchClientsQueryOptions(search), enabled: options.enabled ?? true });
}
