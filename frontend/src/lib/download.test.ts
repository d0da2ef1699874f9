import { describe, expect, it } from 'vitest';
import { filenameFromDisposition } from './download';

describe('filenameFromDisposition', () => {
  it('reads the quoted, bare and UTF-8 forms', () => {
    expect(filenameFromDisposition('attachment; filename="clients-2026-12-06.csv"')).toBe('clients-2026-12-06.csv');
    expect(filenameFromDisposition('attachment; filename=clients.csv')).toBe('clients.csv');
    expect(filenameFromDisposition("attachment; filename*=UTF-8''caf%C3%A9.csv")).toBe('café.csv');
  });

  it('answers null without a name and never a path', () => {
    expect(filenameFromDisposition(null)).toBeNull();
    expect(filenameFromDisposition('attachment')).toBeNull();
    expect(filenameFromDisposition('attachment; filename="../../etc/passwd"')).toBe('.._.._etc_passwd');
  });
});
