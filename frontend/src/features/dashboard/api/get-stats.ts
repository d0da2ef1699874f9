import { queryOptions, useQuery } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { unwrap } from '@/lib/api/errors';

export type Stats = Schemas['Stats'];

export const statsKeys = { all: ['stats'] as const };

/** GET /api/stats: the dashboard's figures in the caller's scope; a part is null without its permission. */
export function getStats(signal?: AbortSignal): Promise<Stats> {
  return unwrap(getApi().client.GET('/api/stats', { signal }));
}

export function getStatsQueryOptions() {
  return queryOptions({
    queryKey: statsKeys.all,
    queryFn: ({ signal }) => getStats(signal),
    // The server counts at most every ten seconds; look again every minute while the page is open.
    refetchInterval: 60_000,
  });
}

export function useStats() {
  return useQuery(getStatsQueryOptions());
}
