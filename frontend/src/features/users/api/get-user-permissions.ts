import { queryOptions, useQuery } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { userKeys } from './keys';

export type UserPermissions = Schemas['UserPermissions'];

/** GET /api/users-management/{id}/permissions: the user's permissions with `permissionDetails`. */
export function getUserPermissions(id: number, signal?: AbortSignal): Promise<UserPermissions> {
  return unwrap(getApi().client.GET('/api/users-management/{id}/permissions', { params: { path: { id } }, signal }));
}

export function getUserPermissionsQueryOptions(id: number) {
  return queryOptions({
    queryKey: userKeys.permissions(id),
    queryFn: ({ signal }) => getUserPermissions(id, signal),
  });
}

export function useUserPermissions(id: number) {
  return useQuery(getUserPermissionsQueryOptions(id));
}
