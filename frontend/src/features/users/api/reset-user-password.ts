import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { userKeys } from './keys';

export type UserPasswordReset = Schemas['UserPasswordReset'];

/**
 * POST /api/users-management/{id}/reset-password: a generated password,
 * answered once; the user's sessions end and it must choose its own next time.
 */
export function resetUserPassword(id: number): Promise<UserPasswordReset> {
  return unwrap(getApi().client.POST('/api/users-management/{id}/reset-password', { params: { path: { id } } }));
}

export function useResetUserPassword(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => resetUserPassword(id),
    onSuccess: (result) => {
      queryClient.setQueryData(userKeys.detail(id), result.user);
      void queryClient.invalidateQueries({ queryKey: userKeys.lists() });
    },
  });
}
