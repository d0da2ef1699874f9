import { queryOptions, useQuery } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { userKeys } from './keys';

export type Company = Schemas['ClientView'];

/**
 * GET /api/clients/{id}: a user's client, for its name and its owner (`ownerId`,
 * above every other user of the client). Staff with 20, or the client's own admin.
 */
export async function getCompany(id: number, signal?: AbortSignal): Promise<Company> {
  const { client } = await unwrap(getApi().client.GET('/api/clients/{id}', { params: { path: { id } }, signal }));
  return client;
}

export function getCompanyQueryOptions(id: number) {
  return queryOptions({ queryKey: userKeys.client(id), queryFn: ({ signal }) => getCompany(id, signal), staleTime: 60_000 });
}

export function useCompany(id: number | null, options: { enabled?: boolean } = {}) {
  return useQuery({ ...getCompanyQueryOptions(id ?? 0), enabled: id !== null && (options.enabled ?? true) });
}
