import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import type { UserListQuery } from '../list-params';
import { userKeys } from './keys';

export type UserList = Schemas['UserList'];
export type ManagedUser = Schemas['ManagedUserView'];

/** GET /api/users-management: a page of users, searched, filtered and sorted by the server. */
export function listUsers(query: UserListQuery, signal?: AbortSignal): Promise<UserList> {
  return unwrap(getApi().client.GET('/api/users-management', { params: { query }, signal }));
}

export function listUsersQueryOptions(query: UserListQuery) {
  return queryOptions({
    queryKey: userKeys.list(query),
    queryFn: ({ signal }) => listUsers(query, signal),
    placeholderData: keepPreviousData,
  });
}

export function useUsers(query: UserListQuery, options: { enabled?: boolean } = {}) {
  return useQuery({ ...listUsersQueryOptions(query), enabled: options.enabled ?? true });
}
