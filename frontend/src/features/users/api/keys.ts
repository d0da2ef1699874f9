import type { UserListQuery } from '../list-params';

/** Query keys of the users feature. */
export const userKeys = {
  all: ['users'] as const,
  lists: () => ['users', 'list'] as const,
  list: (query: UserListQuery) => ['users', 'list', query] as const,
  detail: (id: number) => ['users', 'detail', id] as const,
  permissions: (id: number) => ['users', 'permissions', id] as const,
  catalogue: ['users', 'permission-catalogue'] as const,
  clientOptions: (search: string) => ['users', 'client-options', search] as const,
  client: (id: number) => ['users', 'client', id] as const,
  clientModules: (id: number) => ['users', 'client-modules', id] as const,
};
