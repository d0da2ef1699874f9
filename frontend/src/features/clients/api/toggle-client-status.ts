import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import type { Client } from './get-client';
import { clientKeys } from './keys';

/** POST /api/clients/{id}/toggle-status: deactivating locks every user of the client out at once. */
export async function toggleClientStatus(id: number): Promise<Client> {
  const { client } = await unwrap(
    getApi().client.POST('/api/clients/{id}/toggle-status', { params: { path: { id } } }),
  );
  return client;
}

export function useToggleClientStatus(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => toggleClientStatus(id),
    onSuccess: (client) => {
      queryClient.setQueryData(clientKeys.detail(id), client);
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: clientKeys.lists() }),
        queryClient.invalidateQueries({ queryKey: clientKeys.users(id) }),
      ]);
    },
  });
}
