import { queryOptions, useQuery } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { clientKeys } from './keys';

export type ClientModules = Schemas['ClientModules'];

/** GET /api/clients/{id}/modules: the client's active modules. */
export function getClientModules(id: number, signal?: AbortSignal): Promise<ClientModules> {
  return unwrap(getApi().client.GET('/api/clients/{id}/modules', { params: { path: { id } }, signal }));
}

export function getClientModulesQueryOptions(id: number) {
  return queryOptions({
    queryKey: clientKeys.modules(id),
    queryFn: ({ signal }) => getClientModules(id, signal),
  });
}

export function useClientModules(id: number) {
  return useQuery(getClientModulesQueryOptions(id));
}
