import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import type { UserPermissions } from './get-user-permissions';
import { userKeys } from './keys';

/** PUT /api/users-management/{id}/permissions: replace the user's permissions with exactly these. */
export function replaceUserPermissions(id: number, permissions: number[]): Promise<UserPermissions> {
  return unwrap(
    getApi().client.PUT('/api/users-management/{id}/permissions', { params: { path: { id } }, body: { permissions } }),
  );
}

export function useReplaceUserPermissions(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (permissions: number[]) => replaceUserPermissions(id, permissions),
    onSuccess: (result) => {
      queryClient.setQueryData(userKeys.permissions(id), result);
      void queryClient.invalidateQueries({ queryKey: userKeys.detail(id) });
      void queryClient.invalidateQueries({ queryKey: userKeys.lists() });
    },
  });
}
