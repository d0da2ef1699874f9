import { getApi } from '@/lib/api/client';
import { streamCsv, useCsvExport, utcDate, type ExportedFile, type ExportOptions } from '@/lib/csv-export';
import type { UserExportQuery } from '../list-params';

/** GET /api/users-management/export: the CSV of exactly the list's filters and sort, streamed. */
export function exportUsers(query: UserExportQuery, options: ExportOptions = {}): Promise<ExportedFile> {
  return streamCsv(
    (signal) => getApi().client.GET('/api/users-management/export', { params: { query }, parseAs: 'stream', signal }),
    `users-${utcDate()}.csv`,
    options,
  );
}

export function useExportUsers() {
  return useCsvExport(exportUsers);
}
