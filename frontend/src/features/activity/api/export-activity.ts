import { getApi } from '@/lib/api/client';
import { streamCsv, useCsvExport, utcDate, type ExportedFile, type ExportOptions } from '@/lib/csv-export';
import type { ActivityExportQuery } from '../list-params';

/** GET /api/activity/export: the entries of exactly these filters, newest first, as CSV, streamed. */
export function exportActivity(query: ActivityExportQuery, options: ExportOptions = {}): Promise<ExportedFile> {
  return streamCsv(
    (signal) => getApi().client.GET('/api/activity/export', { params: { query }, parseAs: 'stream', signal }),
    `activity-${utcDate()}.csv`,
    options,
  );
}

export function useExportActivity() {
  return useCsvExport(exportActivity);
}
