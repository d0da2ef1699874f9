import { queryOptions, useQuery } from '@tanstack/react-query';
import { getApi } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { userKeys } from './keys';

/** GET /api/clients/{id}/modules: the modules active for a user's client (the choices for its users). */
export async function getCompanyModules(id: number, signal?: AbortSignal): Promise<string[]> {
  const { modules } = await unwrap(getApi().client.GET('/api/clients/{id}/modules', { params: { path: { id } }, signal }));
  return modules;
}

export function getCompanyModulesQueryOptions(id: number) {
  return queryOptions({ queryKey: userKeys.clientModules(id), queryFn: ({ signal }) => getCompanyModules(id, signal) });
}

export function useCompanyModules(id: number | null) {
  return useQuery({ ...getCompanyModulesQueryOptions(id ?? 0), enabled: id !== null });
}
