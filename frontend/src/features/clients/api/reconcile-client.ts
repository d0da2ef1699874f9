import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { clientKeys } from './keys';

export type Reconciliation = Schemas['ReconcileResponse'];

/**
 * POST /api/clients/{id}/reconcile: compare the client's own database with the
 * main one, row by row; with `repair`, bring it in line (staff with 22).
 */
export function reconcileClient(id: number, repair: boolean): Promise<Reconciliation> {
  return unwrap(getApi().client.POST('/api/clients/{id}/reconcile', { params: { path: { id }, query: { repair } } }));
}

export function useReconcileClient(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (repair: boolean) => reconcileClient(id, repair),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: clientKeys.detail(id) }),
  });
}
