import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { moduleKeys, type Module } from './list-modules';

export type NewModuleInput = Schemas['NewModuleRequest'];

/** POST /api/modules: add a module to the catalogue (staff holding System Administration). */
export async function createModule(body: NewModuleInput): Promise<Module> {
  const { module } = await unwrap(getApi().client.POST('/api/modules', { body }));
  return module;
}

export function useCreateModule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createModule,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: moduleKeys.catalogue }),
  });
}
