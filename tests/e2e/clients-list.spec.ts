import { readFileSync } from 'node:fs';
import { Api, type ClientView } from './api';
import { auditScreen, expect, signIn, test } from './fixtures';
import { ADMIN_PASSWORD } from './paths';

/**
 * The clients list against a known set of clients: server-side search, the
 * API's filters, sorting, paging (all in the URL), and the CSV export of exactly
 * what the list shows.
 */
const tag = `Listing${Date.now().toString(36)}`;
const COUNT = 25;
const name = (i: number) => `${tag} Company ${String(i).padStart(2, '0')}`;
const isHotel = (i: number) => i % 3 === 0;
const isInactive = (i: number) => i % 5 === 1;

let seeded: ClientView[] = [];

test.beforeAll(async ({ request }) => {
  const base = process.env.E2E_IP_BASE_URL!;
  const api = await Api.login(request, base, 'admin', ADMIN_PASSWORD);
  seeded = [];
  for (let i = 1; i <= COUNT; i += 1) {
    const { client } = await api.createClient({
      companyName: name(i),
      contactEmail: `listing${i}@example.com`,
      businessType: isHotel(i) ? 'hotel' : 'retail',
      leadStatus: i % 2 === 0 ? 'customer' : 'lead',
      // A note over two lines and a formula-looking one: the CSV must keep each a single row.
      notes: i === 2 ? 'first line\nsecond line, with "quotes"' : i === 4 ? '=1+1' : null,
    });
    if (isInactive(i)) await api.send('POST', `/api/clients/${client.id}/toggle-status`, undefined, 200);
    seeded.push(client);
  }
});

/** Parse CSV text (RFC 4180: quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

test('search, filter, sort and page, all kept in the URL', async ({ page, server }) => {
  // First the list cannot be loaded (the server is struggling): the page says what
  // failed and offers to try again.
  await page.route('**/api/clients?*', (route) =>
    route.fulfill({ status: 503, json: { error: 'The database is unreachable' } }),
  );
  await page.goto('/clients');
  await signIn(page, 'admin', server.adminPassword);
  const failure = page.getByTestId('query-error');
  await expect(failure).toContainText('Could not load the clients');
  await expect(failure).toContainText('The database is unreachable');
  await auditScreen(page, '09-clients-failed');
  await page.unroute('**/api/clients?*');
  await failure.getByRole('button', { name: 'Try again' }).click();
  await expect(failure).toHaveCount(0);

  const table = page.getByTestId('clients-table');
  const rows = table.getByTestId('table-row');
  const summary = page.getByTestId('pagination-summary');

  // Search: typed, sent by the server, kept in the URL.
  await page.getByRole('searchbox', { name: 'Search clients' }).fill(tag);
  await expect(page).toHaveURL(new RegExp(`[?&]search=${tag}`));
  await expect(summary).toHaveText(`Showing 1–10 of ${COUNT} clients`);
  await expect(rows).toHaveCount(10);
  await auditScreen(page, '06-clients');

  // Filters: the API's own.
  await page.getByLabel('Business type').selectOption('hotel');
  const hotels = seeded.filter((_, i) => isHotel(i + 1)).length;
  await expect(summary).toHaveText(`Showing 1–${hotels} of ${hotels} clients`);
  await expect(rows.filter({ hasText: 'Retail' })).toHaveCount(0);
  await page.getByLabel('Business type').selectOption('');
  await page.getByLabel('Status', { exact: true }).selectOption('inactive');
  const inactive = seeded.filter((_, i) => isInactive(i + 1)).length;
  await expect(summary).toHaveText(`Showing 1–${inactive} of ${inactive} clients`);
  await expect(rows.getByTestId('status-badge')).toHaveText(Array<string>(inactive).fill('Inactive'));
  await page.getByLabel('Lead status').selectOption('customer');
  const inactiveCustomers = seeded.filter((_, i) => isInactive(i + 1) && (i + 1) % 2 === 0).length;
  await expect(summary).toHaveText(`Showing 1–${inactiveCustomers} of ${inactiveCustomers} clients`);
  await expect(page).toHaveURL(/status=inactive&leadStatus=customer/);
  await page.getByLabel('Status', { exact: true }).selectOption('');
  await page.getByLabel('Lead status').selectOption('');
  await expect(summary).toHaveText(`Showing 1–10 of ${COUNT} clients`);

  // Sort: by company name, ascending then descending; the header says which.
  const company = page.getByRole('columnheader', { name: /Company/ });
  await company.getByRole('button').click();
  await expect(page).toHaveURL(/sort=companyName/);
  await expect(company).toHaveAttribute('aria-sort', 'ascending');
  await expect(rows.first()).toContainText(name(1));
  await company.getByRole('button').click();
  await expect(company).toHaveAttribute('aria-sort', 'descending');
  await expect(rows.first()).toContainText(name(COUNT));

  // Pages: next, a reload keeps it, the back button returns.
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(summary).toHaveText(`Showing 11–20 of ${COUNT} clients`);
  await expect(rows.first()).toContainText(name(COUNT - 10));
  await page.reload();
  await expect(summary).toHaveText(`Showing 11–20 of ${COUNT} clients`);
  await expect(page.getByRole('searchbox', { name: 'Search clients' })).toHaveValue(tag);
  await page.goBack();
  await expect(summary).toHaveText(`Showing 1–10 of ${COUNT} clients`);
  await page.getByLabel('Rows per page').selectOption('25');
  await expect(rows).toHaveCount(COUNT);
  await expect(page.getByRole('button', { name: 'Next' })).toBeDisabled();

  // Nothing matches: say so, and offer the way back.
  await page.getByRole('searchbox', { name: 'Search clients' }).fill(`${tag}-nothing`);
  await expect(page.getByTestId('empty-state')).toContainText('No clients match');
  await auditScreen(page, '07-clients-no-match');
  await page.getByRole('button', { name: 'Clear search and filters' }).click();
  await expect(page).toHaveURL(/\/clients$/);
});

test('export CSV downloads exactly the current filter and sort, and can be cancelled', async ({ page, server, request }) => {
  const query = `search=${tag}&businessType=retail&sort=-companyName`;
  await page.goto(`/clients?${query}`);
  await signIn(page, 'admin', server.adminPassword);
  await expect(page).toHaveURL(new RegExp(`/clients\\?${query}$`));
  const retail = seeded.filter((_, i) => !isHotel(i + 1)).length;
  await expect(page.getByTestId('pagination-summary')).toHaveText(`Showing 1–10 of ${retail} clients`);

  // Cancelled while under way: a progress line with a cancel, and no file.
  let held: (() => void) | null = null;
  await page.route('**/clients/export?*', async (route) => {
    await new Promise<void>((resolve) => {
      held = resolve;
    });
    await route.continue().catch(() => undefined);
  });
  let downloads = 0;
  page.on('download', () => {
    downloads += 1;
  });
  await page.getByRole('button', { name: 'Export CSV' }).click();
  await expect(page.getByTestId('export-status')).toHaveText(`Exporting… 0 of ${retail} rows · 0 B`);
  await expect(page.getByRole('progressbar', { name: 'Export progress' })).toBeVisible();
  await auditScreen(page, '08-clients-exporting');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Export cancelled' })).toBeVisible();
  (held as (() => void) | null)?.();
  await page.unroute('**/clients/export?*');
  expect(downloads).toBe(0);

  // The whole export: saved as a file whose rows are the list's, in the list's order.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^clients-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = parseCsv(readFileSync((await file.path())!, 'utf8'));
  const [header, ...rows] = csv;
  expect(header?.slice(0, 3)).toEqual(['accountNumber', 'companyName', 'contactEmail']);

  const api = await Api.login(request, server.ipBaseUrl, 'admin', server.adminPassword);
  const listed = await api.get<{ clients: ClientView[] }>('/api/clients', {
    search: tag,
    businessType: 'retail',
    sort: '-companyName',
    limit: 100,
  });
  expect(rows.map((r) => r[0])).toEqual(listed.clients.map((c) => c.accountNumber));
  expect(rows.map((r) => r[1])).toEqual(listed.clients.map((c) => c.companyName));
  expect(rows).toHaveLength(retail);
  // A two-line note stays one row; a formula is neutralised.
  const notes = header!.indexOf('notes');
  expect(rows.find((r) => r[1] === name(2))?.[notes]).toBe('first line\nsecond line, with "quotes"');
  expect(rows.find((r) => r[1] === name(4))?.[notes]).toBe("'=1+1");
  await expect(page.getByTestId('toast').filter({ hasText: 'Export ready' })).toContainText(`${retail} clients saved`);
});
