import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import type { UserPermissions } from './get-user-permissions';
import { userKeys } from './keys';

/** POST /api/users-management/{id}/permissions: add these, keeping the ones it has. */
export function addUserPermissions(id: number, permissions: number[]): Promise<UserPermissions> {
  return unwrap(
    getApi().client.POST('/api/users-management/{id}/permissions', { params: { path: { id } }, body: { permissions } }),
  );
}

export function useAddUserPermissions(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (permissions: number[]) => addUserPermissions(id, permissions),
    onSuccess: (result) => {
      queryClient.setQueryData(userKeys.permissions(id), result);
      void queryClient.invalidateQueries({ queryKey: userKeys.detail(id) });
      void queryClient.invalidateQueries({ queryKey: userKeys.lists() });
    },
  });
}
