import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { clientKeys } from './keys';

export type AddClientUserInput = Schemas['AddClientUserRequest'];
export type ClientUserCreated = Schemas['ClientUserCreated'];

/** POST /api/clients/{id}/users (seed 000): a user with a temporary password, answered once. */
export function addClientUser(id: number, body: AddClientUserInput): Promise<ClientUserCreated> {
  return unwrap(getApi().client.POST('/api/clients/{id}/users', { params: { path: { id } }, body }));
}

export function useAddClientUser(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: AddClientUserInput) => addClientUser(id, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: clientKeys.users(id) }),
  });
}
