import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import type { ManagedUser } from './list-users';
import { userKeys } from './keys';

export type UpdateUserInput = Schemas['UpdateUserRequest'];

/** PUT /api/users-management/{id}: only the fields sent change (deactivation is `isActive: false`). */
export async function updateUser(id: number, body: UpdateUserInput): Promise<ManagedUser> {
  const { user } = await unwrap(getApi().client.PUT('/api/users-management/{id}', { params: { path: { id } }, body }));
  return user;
}

export function useUpdateUser(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateUserInput) => updateUser(id, body),
    onSuccess: (user) => {
      queryClient.setQueryData(userKeys.detail(id), user);
      void queryClient.invalidateQueries({ queryKey: userKeys.lists() });
      void queryClient.invalidateQueries({ queryKey: userKeys.permissions(id) });
      // A client's users tab lists it too.
      void queryClient.invalidateQueries({ queryKey: ['clients', 'users'] });
    },
  });
}
