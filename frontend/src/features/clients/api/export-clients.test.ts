import { describe, expect, it } from 'vitest';
import { configureApi } from '@/lib/api/client';
import { ApiError } from '@/lib/api/errors';
import { createTokenStore } from '@/lib/token-store';
import { exportClients, ExportCancelled, type ExportProgress } from './export-clients';

const CSV = ['accountNumber,companyName,notes\n', 'ACC001,ABC,"two\nlines"\n', 'ACC002,"Shop, Ltd",\n', 'ACC003,Third,x\n'];

/** A server whose export sends `CSV` chunk by chunk, and records what it was asked. */
function server(options: { status?: number; hang?: boolean } = {}) {
  const seen: Request[] = [];
  const fetch = async (request: Request) => {
    seen.push(request);
    if (options.status) {
      return new Response(JSON.stringify({ error: 'Not operator staff' }), {
        status: options.status,
        headers: { 'Content-Type': 'application/json' },
      });
    }
    const encoder = new TextEncoder();
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((r) => setTimeout(r, 5));
        if (options.hang && i === 2) return new Promise<void>(() => undefined);
        if (i < CSV.length) controller.enqueue(encoder.encode(CSV[i++]));
        else controller.close();
      },
    });
    return new Response(body, {
      headers: { 'Content-Type': 'text/csv', 'Content-Disposition': 'attachment; filename="clients-2026-12-06.csv"' },
    });
  };
  const tokens = createTokenStore(null);
  tokens.setTokens({ accessToken: 'access', refreshToken: 'refresh' });
  configureApi({ baseUrl: 'http://api.test', tokens, fetch });
  return seen;
}

describe('exportClients', () => {
  it('streams the CSV with the bearer token, counting rows and bytes as they come', async () => {
    const seen = server();
    const progress: ExportProgress[] = [];
    const file = await exportClients(
      { search: 'abc', isActive: true, sort: '-companyName' },
      { onProgress: (p) => progress.push(p) },
    );
    const url = new URL(seen[0]!.url);
    expect(url.pathname).toBe('/api/clients/export');
    expect(Object.fromEntries(url.searchParams)).toEqual({ search: 'abc', isActive: 'true', sort: '-companyName' });
    expect(seen[0]!.headers.get('Authorization')).toBe('Bearer access');

    expect(progress.map((p) => p.rows)).toEqual([0, 1, 2, 3]);
    const sizes = CSV.map((chunk) => new TextEncoder().encode(chunk).length);
    expect(progress.map((p) => p.bytes)).toEqual(sizes.map((_, i) => sizes.slice(0, i + 1).reduce((a, b) => a + b)));
    expect(file.rows).toBe(3);
    expect(file.filename).toBe('clients-2026-12-06.csv');
    expect(await file.blob.text()).toBe(CSV.join(''));
  });

  it('stops when cancelled, mid-stream', async () => {
    server({ hang: true });
    const controller = new AbortController();
    const done = exportClients({ sort: '-createdAt' }, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.rows === 1) controller.abort();
      },
    });
    await expect(done).rejects.toBeInstanceOf(ExportCancelled);
  });

  it('reports the API’s refusal', async () => {
    server({ status: 403 });
    await expect(exportClients({ sort: '-createdAt' })).rejects.toEqual(new ApiError(403, 'Not operator staff'));
  });
});
