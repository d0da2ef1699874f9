import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import type { ClientModules } from './get-client-modules';
import { clientKeys } from './keys';

/** PUT /api/clients/{id}/modules: replace the client's active modules. */
export function setClientModules(id: number, modules: string[]): Promise<ClientModules> {
  return unwrap(getApi().client.PUT('/api/clients/{id}/modules', { params: { path: { id } }, body: { modules } }));
}

export function useSetClientModules(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (modules: string[]) => setClientModules(id, modules),
    onSuccess: (saved) => {
      queryClient.setQueryData(clientKeys.modules(id), saved);
      // Users without a choice of their own follow the client's modules.
      return queryClient.invalidateQueries({ queryKey: clientKeys.users(id) });
    },
  });
}
