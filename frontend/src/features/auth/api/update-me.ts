import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi, type Schemas, type User } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { authKeys } from './keys';

export type UpdateMeInput = Schemas['UpdateMeRequest'];

/** PUT /api/auth/me: change one's own name and e-mail address. */
export async function updateMe(body: UpdateMeInput): Promise<User> {
  const { user } = await unwrap(getApi().client.PUT('/api/auth/me', { body }));
  return user;
}

export function useUpdateMe() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateMe,
    onSuccess: (user) => queryClient.setQueryData(authKeys.me, user),
  });
}
