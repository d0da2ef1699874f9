import { queryOptions, useQuery } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';

export type Module = Schemas['ModuleView'];

export const moduleKeys = { catalogue: ['modules', 'catalogue'] as const };

/** GET /api/modules: the module catalogue. */
export async function listModules(signal?: AbortSignal): Promise<Module[]> {
  const { modules } = await unwrap(getApi().client.GET('/api/modules', { signal }));
  return modules;
}

export function listModulesQueryOptions() {
  return queryOptions({
    queryKey: moduleKeys.catalogue,
    queryFn: ({ signal }) => listModules(signal),
    staleTime: 5 * 60_000,
  });
}

export function useModules() {
  return useQuery(listModulesQueryOptions());
}
