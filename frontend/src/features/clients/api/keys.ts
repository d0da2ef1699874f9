import type { ClientListQuery } from '../list-params';

/** Query keys of the clients feature. */
export const clientKeys = {
  all: ['clients'] as const,
  lists: () => ['clients', 'list'] as const,
  list: (query: ClientListQuery) => ['clients', 'list', query] as const,
  detail: (id: number) => ['clients', 'detail', id] as const,
  users: (id: number) => ['clients', 'users', id] as const,
  usersPage: (id: number, page: { limit: number; offset: number }) => ['clients', 'users', id, page] as const,
  credits: (id: number) => ['clients', 'credits', id] as const,
  creditsPage: (id: number, page: { limit: number; offset: number }) => ['clients', 'credits', id, page] as const,
  modules: (id: number) => ['clients', 'modules', id] as const,
};
