import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import type { ManagedUser } from './list-users';
import { userKeys } from './keys';

export type CreateUserInput = Schemas['CreateUserRequest'];

/** POST /api/users-management: a user with an admin-set password it must change at first sign-in. */
export async function createUser(body: CreateUserInput): Promise<ManagedUser> {
  const { user } = await unwrap(getApi().client.POST('/api/users-management', { body }));
  return user;
}

export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createUser,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: userKeys.lists() }),
  });
}
