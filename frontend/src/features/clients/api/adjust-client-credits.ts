import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { clientKeys } from './keys';

export type CreditAdjustment = Schemas['CreditAdjustment'];
export type CreditAdjusted = Schemas['CreditAdjusted'];

/** POST /api/clients/{id}/credits: add (positive) or spend (negative); never below zero (409). */
export function adjustClientCredits(id: number, body: CreditAdjustment): Promise<CreditAdjusted> {
  return unwrap(getApi().client.POST('/api/clients/{id}/credits', { params: { path: { id } }, body }));
}

export function useAdjustClientCredits(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreditAdjustment) => adjustClientCredits(id, body),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: clientKeys.credits(id) }),
        queryClient.invalidateQueries({ queryKey: clientKeys.detail(id) }),
        queryClient.invalidateQueries({ queryKey: clientKeys.lists() }),
      ]),
  });
}
