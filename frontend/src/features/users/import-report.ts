import type { ImportReport, ImportRow } from './api/import-users';

/** How a row of an import stands, as the screen groups them. */
export type RowKind = 'valid' | 'created' | 'duplicate' | 'invalid';

/** The API's words for a username or e-mail that is taken, or repeated in the file. */
const DUPLICATE = [/already exists/i, /appears twice/i];

const isDuplicateMessage = (message: string) => DUPLICATE.some((re) => re.test(message));

/** Every reason a row was refused, as "field: message" (a whole-row reason has no field). */
export function rowReasons(row: Pick<ImportRow, 'errors'>): string[] {
  if (!row.errors) return [];
  return Object.entries(row.errors).flatMap(([field, messages]) =>
    messages.map((message) => (field === 'row' ? message : `${field}: ${message}`)),
  );
}

/**
 * A refused row is a duplicate when all it lacks is a username or e-mail of its
 * own (taken already, or twice in the file); otherwise it is invalid.
 */
export function rowKind(row: Pick<ImportRow, 'status' | 'errors'>): RowKind {
  if (row.status === 'created') return 'created';
  if (row.status === 'valid') return 'valid';
  const messages = Object.values(row.errors ?? {}).flat();
  return messages.length > 0 && messages.every(isDuplicateMessage) ? 'duplicate' : 'invalid';
}

export interface ImportSummary {
  total: number;
  valid: number;
  created: number;
  invalid: number;
  duplicates: number;
  /** The file lines of the rows that can be imported as they are. */
  validLines: number[];
}

export function summarize(report: ImportReport): ImportSummary {
  const kinds = report.rows.map((row) => ({ row, kind: rowKind(row) }));
  const count = (kind: RowKind) => kinds.filter((k) => k.kind === kind).length;
  return {
    total: report.total,
    valid: count('valid'),
    created: count('created'),
    invalid: count('invalid'),
    duplicates: count('duplicate'),
    validLines: kinds.filter((k) => k.kind === 'valid').map((k) => k.row.line),
  };
}

export interface CsvRecord {
  /** The file line the record starts on (the header is line 1), as the API numbers rows. */
  line: number;
  text: string;
}

/**
 * The records of a CSV file with the lines they start on, counted as the API
 * counts them: `\r\n`, `\n` or a lone `\r` ends a line, blank lines count but
 * hold no record, and a quoted cell may span lines.
 */
export function splitCsvRecords(input: string): CsvRecord[] {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const out: CsvRecord[] = [];
  let line = 1;
  let inQuotes = false;
  let start = -1;
  let startLine = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    const isBreak = ch === '\r' || ch === '\n';
    const width = ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    if (start < 0) {
      if (isBreak) {
        line += 1;
        i += width;
        continue;
      }
      start = i;
      startLine = line;
    }
    if (ch === '"') {
      inQuotes = !inQuotes;
    } else if (isBreak) {
      if (!inQuotes) {
        out.push({ line: startLine, text: text.slice(start, i) });
        start = -1;
      }
      line += 1;
      i += width;
      continue;
    }
    i += 1;
  }
  if (start >= 0) out.push({ line: startLine, text: text.slice(start) });
  return out;
}

/** The file with its header and only the rows that start on `lines`: the rows to import. */
export function keepRows(csv: string, lines: readonly number[]): string {
  const [header, ...records] = splitCsvRecords(csv);
  if (!header) return '';
  const keep = new Set(lines);
  return [header, ...records.filter((r) => keep.has(r.line))].map((r) => r.text).join('\n') + '\n';
}

/** A cell for a CSV file: quoted when needed, and never a formula a spreadsheet would run. */
export function csvCell(value: string): string {
  const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** The one-time passwords of the rows created, as a CSV to hand out. */
export function passwordsCsv(rows: readonly ImportRow[], loginUrl: string): string {
  const lines = [['username', 'password', 'loginUrl']];
  for (const row of rows) {
    if (row.status === 'created' && row.password) lines.push([row.username, row.password, loginUrl]);
  }
  return lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** A sample file with every column the import reads; staff name each row's client. */
export function sampleCsv(staff: boolean): string {
  const rows = staff
    ? [
        ['name', 'username', 'email', 'role', 'permissions', 'companyId'],
        ['Asha Rao', 'asha.rao', 'asha@example.com', 'client_admin', '1 2 3', '1'],
        ['Ravi Kumar', 'ravi.kumar', 'ravi@example.com', 'user', '1', '1'],
        ['Meena Iyer', 'meena.iyer', '', 'user', '', '1'],
      ]
    : [
        ['name', 'username', 'email', 'role', 'permissions'],
        ['Ravi Kumar', 'ravi.kumar', 'ravi@example.com', 'user', '1'],
        ['Meena Iyer', 'meena.iyer', '', 'user', ''],
      ];
  return rows.map((cells) => cells.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
