import { useMutation } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { getApi } from '@/lib/api/client';
import { ApiError, toApiError } from '@/lib/api/errors';
import { CsvRecordCounter } from '@/lib/csv-records';
import { filenameFromDisposition } from '@/lib/download';
import type { ClientExportQuery } from '../list-params';

export interface ExportProgress {
  rows: number;
  bytes: number;
}

export interface ExportedFile extends ExportProgress {
  blob: Blob;
  filename: string;
}

/** Thrown when the export was cancelled: not a failure to report. */
export class ExportCancelled extends Error {
  constructor() {
    super('The export was cancelled.');
    this.name = 'ExportCancelled';
  }
}

function utcDate(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * GET /api/clients/export: the CSV of exactly these filters and sort, read as a
 * stream (with the bearer token, through the API client) so progress can be
 * shown as it arrives; `signal` cancels it.
 */
export async function exportClients(
  query: ClientExportQuery,
  options: { signal?: AbortSignal; onProgress?: (progress: ExportProgress) => void } = {},
): Promise<ExportedFile> {
  const { signal, onProgress } = options;
  try {
    const { data: body, error, response } = await getApi().client.GET('/api/clients/export', {
      params: { query },
      parseAs: 'stream',
      signal,
    });
    if (!response.ok) throw toApiError(response, error);
    if (!body) throw new ApiError(response.status, 'The export came back empty.');

    const reader = body.getReader();
    // A fetch's body errors when its signal aborts; cancel the reader as well, whatever the fetch.
    signal?.addEventListener('abort', () => void reader.cancel().catch(() => undefined), { once: true });
    const decoder = new TextDecoder();
    const counter = new CsvRecordCounter();
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) throw new ExportCancelled();
      if (done) break;
      chunks.push(value);
      bytes += value.byteLength;
      counter.push(decoder.decode(value, { stream: true }));
      onProgress?.({ rows: counter.rows, bytes });
    }
    counter.push(decoder.decode());
    const filename =
      filenameFromDisposition(response.headers.get('Content-Disposition')) ?? `clients-${utcDate()}.csv`;
    return { blob: new Blob(chunks, { type: 'text/csv;charset=utf-8' }), filename, rows: counter.rows, bytes };
  } catch (cause) {
    if (signal?.aborted) throw new ExportCancelled();
    if (cause instanceof ApiError) throw cause;
    throw new ApiError(0, 'The export was cut off: the server cannot be reached. Check your connection and try again.');
  }
}

/** Run one export at a time, with its progress so far and a cancel. */
export function useExportClients() {
  const [progress, setProgress] = useState<ExportProgress>({ rows: 0, bytes: 0 });
  const controller = useRef<AbortController | null>(null);
  const mutation = useMutation({
    mutationFn: (query: ClientExportQuery) => {
      controller.current?.abort();
      const current = new AbortController();
      controller.current = current;
      setProgress({ rows: 0, bytes: 0 });
      return exportClients(query, { signal: current.signal, onProgress: setProgress });
    },
    onSettled: () => {
      controller.current = null;
    },
  });
  return {
    ...mutation,
    progress,
    cancel: () => controller.current?.abort(),
  };
}
