import { useMutation } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { ApiError, toApiError } from './api/errors';
import { CsvRecordCounter } from './csv-records';
import { filenameFromDisposition } from './download';

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

export interface ExportOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ExportProgress) => void;
}

/** An openapi-fetch call made with `parseAs: 'stream'`. */
export type StreamCall = (signal: AbortSignal | undefined) => Promise<{
  data?: ReadableStream<Uint8Array> | null;
  error?: unknown;
  response: Response;
}>;

export function utcDate(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * Read a CSV export as a stream (through the API client, so with the bearer
 * token), counting rows and bytes as they arrive; `signal` cancels it. The file
 * is named by the server's `Content-Disposition`, else `fallbackName`.
 */
export async function streamCsv(call: StreamCall, fallbackName: string, options: ExportOptions = {}): Promise<ExportedFile> {
  const { signal, onProgress } = options;
  try {
    const { data: body, error, response } = await call(signal);
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
      chunks.push(value as Uint8Array<ArrayBuffer>);
      bytes += value.byteLength;
      counter.push(decoder.decode(value, { stream: true }));
      onProgress?.({ rows: counter.rows, bytes });
    }
    counter.push(decoder.decode());
    const filename = filenameFromDisposition(response.headers.get('Content-Disposition')) ?? fallbackName;
    return { blob: new Blob(chunks, { type: 'text/csv;charset=utf-8' }), filename, rows: counter.rows, bytes };
  } catch (cause) {
    if (signal?.aborted) throw new ExportCancelled();
    if (cause instanceof ApiError) throw cause;
    throw new ApiError(0, 'The export was cut off: the server cannot be reached. Check your connection and try again.');
  }
}

/** Run one export at a time, with its progress so far and a cancel. */
export function useCsvExport<Q>(run: (query: Q, options: ExportOptions) => Promise<ExportedFile>) {
  const [progress, setProgress] = useState<ExportProgress>({ rows: 0, bytes: 0 });
  const controller = useRef<AbortController | null>(null);
  const mutation = useMutation({
    mutationFn: (query: Q) => {
      controller.current?.abort();
      const current = new AbortController();
      controller.current = current;
      setProgress({ rows: 0, bytes: 0 });
      return run(query, { signal: current.signal, onProgress: setProgress });
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
