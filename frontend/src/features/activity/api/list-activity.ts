import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import type { paths } from '@/lib/api/schema';
import { unwrap } from '@/lib/api/errors';

export type ActivityList = Schemas['ActivityList'];
export type ActivityEntry = Schemas['ActivityEntryView'];
export type ActivityQuery = NonNullable<paths['/api/activity']['get']['parameters']['query']>;

export const activityKeys = {
  all: ['activity'] as const,
  list: (query: ActivityQuery) => ['activity', 'list', query] as const,
};

/** GET /api/activity: the log, newest first, filtered (e.g. by `companyId`). */
export function listActivity(query: ActivityQuery, signal?: AbortSignal): Promise<ActivityList> {
  return unwrap(getApi().client.GET('/api/activity', { params: { query }, signal }));
}

export function listActivityQueryOptions(query: ActivityQuery) {
  return queryOptions({
    queryKey: activityKeys.list(query),
    queryFn: ({ signal }) => listActivity(query, signal),
    placeholderData: keepPreviousData,
  });
}

export function useActivity(query: ActivityQuery) {
  return useQuery(listActivityQueryOptions(query));
}
