import { queryOptions, useQuery } from '@tanstack/react-query';
import { getApi } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import type { ManagedUser } from './list-users';
import { userKeys } from './keys';

/** GET /api/users-management/{id}: one user with its modules. */
export async function getUser(id: number, signal?: AbortSignal): Promise<ManagedUser> {
  const { user } = await unwrap(getApi().client.GET('/api/users-management/{id}', { params: { path: { id } }, signal }));
  return user;
}

export function getUserQueryOptions(id: number) {
  return queryOptions({
    queryKey: userKeys.detail(id),
    queryFn: ({ signal }) => getUser(id, signal),
  });
}

export function useUser(id: number | null) {
  return useQuery({ ...getUserQueryOptions(id ?? 0), enabled: id !== null });
}
