import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import type { ClientCredentialsResponse } from './create-client';
import { clientKeys } from './keys';

/** POST /api/clients/{id}/reset-password: new one-time credentials for the owner; its sessions end. */
export function resetClientPassword(id: number): Promise<ClientCredentialsResponse> {
  return unwrap(getApi().client.POST('/api/clients/{id}/reset-password', { params: { path: { id } } }));
}

export function useResetClientPassword(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => resetClientPassword(id),
    // The owner now must change its password: its row in the users tab changes.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: clientKeys.users(id) }),
  });
}
