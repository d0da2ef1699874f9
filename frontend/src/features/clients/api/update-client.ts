import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import type { Client } from './get-client';
import { clientKeys } from './keys';

export type UpdateClientInput = Schemas['UpdateClientRequest'];

/** PUT /api/clients/{id}: only the fields sent change; null clears one. */
export async function updateClient(id: number, body: UpdateClientInput): Promise<Client> {
  const { client } = await unwrap(getApi().client.PUT('/api/clients/{id}', { params: { path: { id } }, body }));
  return client;
}

export function useUpdateClient(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateClientInput) => updateClient(id, body),
    onSuccess: (client) => {
      queryClient.setQueryData(clientKeys.detail(id), client);
      return queryClient.invalidateQueries({ queryKey: clientKeys.lists() });
    },
  });
}
