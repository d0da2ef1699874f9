import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';

export type Actor = Pick<Schemas['ManagedUserView'], 'id' | 'name' | 'username'>;

/** GET /api/users-management?search=: people to filter the log by (needs View Users). */
export async function searchActors(search: string, signal?: AbortSignal): Promise<Actor[]> {
  const query = { limit: 20, sort: 'username' as const, ...(search.trim() ? { search: search.trim() } : {}) };
  const { users } = await unwrap(getApi().client.GET('/api/users-management', { params: { query }, signal }));
  return users;
}

export function searchActorsQueryOptions(search: string) {
  return queryOptions({
    queryKey: ['activity', 'actors', search],
    queryFn: ({ signal }) => searchActors(search, signal),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

export function useActorOptions(search: string, enabled: boolean) {
  return useQuery({ ...searchActorsQueryOptions(search), enabled });
}
