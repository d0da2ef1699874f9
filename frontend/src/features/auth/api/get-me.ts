import { queryOptions, useQuery } from '@tanstack/react-query';
import { getApi, type User } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';
import { authKeys } from './keys';

/** GET /api/auth/me: the signed-in user. */
export async function getMe(): Promise<User> {
  const { user } = await unwrap(getApi().client.GET('/api/auth/me'));
  return user;
}

export function getMeQueryOptions() {
  return queryOptions({
    queryKey: authKeys.me,
    queryFn: getMe,
    staleTime: 60_000,
    retry: false,
  });
}

export function useMe(options: { enabled?: boolean } = {}) {
  return useQuery({ ...getMeQueryOptions(), enabled: options.enabled ?? true });
}
