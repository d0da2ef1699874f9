import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { clientKeys } from './keys';

export type CreateClientInput = Schemas['CreateClientRequest'];
export type ClientCredentialsResponse = Schemas['ClientCredentialsResponse'];

/** POST /api/clients: the client, its owner, and the owner's one-time credentials. */
export function createClient(body: CreateClientInput): Promise<ClientCredentialsResponse> {
  return unwrap(getApi().client.POST('/api/clients', { body }));
}

export function useCreateClient() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createClient,
    onSuccess: ({ client }) => {
      queryClient.setQueryData(clientKeys.detail(client.id), client);
      return queryClient.invalidateQueries({ queryKey: clientKeys.lists() });
    },
  });
}
