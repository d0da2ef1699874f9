import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { authKeys } from './keys';

export type ChangePasswordInput = Schemas['ChangePasswordRequest'];

/** POST /api/auth/change-password. Clears `mustChangePassword`; other sessions end. */
export async function changePassword(body: ChangePasswordInput): Promise<void> {
  await unwrap(getApi().client.POST('/api/auth/change-password', { body }));
}

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: changePassword,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: authKeys.me }),
  });
}
