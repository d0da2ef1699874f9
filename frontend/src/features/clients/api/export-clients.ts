import { getApi } from '@/lib/api/client';
import { streamCsv, useCsvExport, utcDate, type ExportedFile, type ExportOptions } from '@/lib/csv-export';
import type { ClientExportQuery } from '../list-params';

export { ExportCancelled, type ExportedFile, type ExportProgress } from '@/lib/csv-export';

/**
 * GET /api/clients/export: the CSV of exactly these filters and sort, read as a
 * stream so progress can be shown as it arrives; `signal` cancels it.
 */
export function exportClients(query: ClientExportQuery, options: ExportOptions = {}): Promise<ExportedFile> {
  return streamCsv(
    (signal) => getApi().client.GET('/api/clients/export', { params: { query }, parseAs: 'stream', signal }),
    `clients-${utcDate()}.csv`,
    options,
  );
}

/** Run one export at a time, with its progress so far and a cancel. */
export function useExportClients() {
  return useCsvExport(exportClients);
}
