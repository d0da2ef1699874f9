import { queryOptions, useQuery } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { userKeys } from './keys';

export type PermissionInfo = Schemas['PermissionInfo'];

/** GET /api/users-management/permissions: the fixed catalogue, with names and descriptions. */
export async function listPermissions(signal?: AbortSignal): Promise<PermissionInfo[]> {
  const { permissions } = await unwrap(getApi().client.GET('/api/users-management/permissions', { signal }));
  return permissions;
}

export function listPermissionsQueryOptions() {
  return queryOptions({
    queryKey: userKeys.catalogue,
    queryFn: ({ signal }) => listPermissions(signal),
    staleTime: Infinity,
  });
}

export function usePermissionCatalogue() {
  return useQuery(listPermissionsQueryOptions());
}
