import { queryOptions, useQuery } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { clientKeys } from './keys';

/** A client, and for staff the sync state of its own database (from its envelope). */
export type Client = Schemas['ClientView'] & { sync?: Schemas['SyncView'] | null };

/** GET /api/clients/{id}. */
export async function getClient(id: number, signal?: AbortSignal): Promise<Client> {
  const { client, sync } = await unwrap(getApi().client.GET('/api/clients/{id}', { params: { path: { id } }, signal }));
  return { ...client, sync: sync ?? null };
}

export function getClientQueryOptions(id: number) {
  return queryOptions({
    queryKey: clientKeys.detail(id),
    queryFn: ({ signal }) => getClient(id, signal),
  });
}

export function useClient(id: number) {
  return useQuery(getClientQueryOptions(id));
}
