const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const number = new Intl.NumberFormat();

function parse(value: string | null | undefined): Date | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "6 Dec 2026, 20:00" in the reader's locale; "—" for none. */
export function formatDateTime(value: string | null | undefined): string {
  const d = parse(value);
  return d ? dateTime.format(d) : (value ?? '—');
}

export function formatDate(value: string | null | undefined): string {
  const d = parse(value);
  return d ? date.format(d) : (value ?? '—');
}

export function formatNumber(value: number): string {
  return number.format(value);
}
