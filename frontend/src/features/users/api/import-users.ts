import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi, type Schemas } from '@/lib/api/client';
import { ApiError, toApiError } from '@/lib/api/errors';
import { userKeys } from './keys';

export type ImportReport = Schemas['ImportReport'];
export type ImportRow = Schemas['ImportRow'];

/** An import the server refused as a whole, with its per-row report when rows were invalid. */
export class ImportRefused extends ApiError {
  readonly report: ImportReport | null;
  constructor(error: ApiError, report: ImportReport | null) {
    super(error.status, error.message, error.details, error.retryAfter);
    this.name = 'ImportRefused';
    this.report = report;
  }
}

/**
 * POST /api/users-management/import?dryRun=…, the file as text/csv. A dry run
 * writes nothing; a real one creates every row in one transaction, or none
 * (a 400 then carries the report of the invalid rows).
 */
export async function importUsers(csv: string, dryRun: boolean): Promise<ImportReport> {
  let result;
  try {
    result = await getApi().client.POST('/api/users-management/import', {
      params: { query: { dryRun } },
      body: csv,
      bodySerializer: (body: string) => body,
      headers: { 'Content-Type': 'text/csv' },
    });
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Check your connection and try again.');
  }
  const { data, error, response } = result;
  if (!response.ok) {
    const report = (error as { report?: ImportReport } | undefined)?.report ?? null;
    throw new ImportRefused(toApiError(response, error), report);
  }
  return data!;
}

export function useImportUsers() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ csv, dryRun }: { csv: string; dryRun: boolean }) => importUsers(csv, dryRun),
    onSuccess: (report) => {
      if (!report.dryRun) void queryClient.invalidateQueries({ queryKey: userKeys.lists() });
    },
  });
}
