import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { clientKeys } from './keys';

export type UserList = Schemas['UserList'];
export type ClientUser = Schemas['ManagedUserView'];

/** GET /api/clients/{id}/users: a page of the client's users, oldest first (the owner leads). */
export function listClientUsers(
  id: number,
  page: { limit: number; offset: number },
  signal?: AbortSignal,
): Promise<UserList> {
  return unwrap(
    getApi().client.GET('/api/clients/{id}/users', {
      params: { path: { id }, query: { ...page, sort: 'createdAt' } },
      signal,
    }),
  );
}

export function listClientUsersQueryOptions(id: number, page: { limit: number; offset: number }) {
  return queryOptions({
    queryKey: clientKeys.usersPage(id, page),
    queryFn: ({ signal }) => listClientUsers(id, page, signal),
    placeholderData: keepPreviousData,
  });
}

export function useClientUsers(id: number, page: { limit: number; offset: number }) {
  return useQuery(listClientUsersQueryOptions(id, page));
}
