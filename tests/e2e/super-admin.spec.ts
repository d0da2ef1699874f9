import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { Api } from './api';
import { auditScreen, expect, signIn, test } from './fixtures';

/**
 * A super admin's walk (issue 28): create an operator admin with limited
 * permissions, import 50 users from a CSV with 3 bad rows and read the report,
 * edit a user's permissions (replace, then add), reset its password, and find
 * the changes in the activity log with their before and after.
 */
test.describe.configure({ mode: 'serial' });

const tag = Date.now().toString(36);
const adminUsername = `ops.limited.${tag}`;
let clientId = 0;
let importedId = 0;

async function signInAsAdmin(page: Page, password: string, path = '/') {
  await page.goto(path);
  await signIn(page, 'admin', password);
  await expect(page.getByTestId('app-shell')).toBeVisible();
}

test.beforeAll(async ({ request, server }) => {
  const api = await Api.login(request, server.ipBaseUrl, 'admin', server.adminPassword);
  const { client } = await api.createClient({ companyName: `Import Target ${tag}`, contactEmail: `import-${tag}@example.com` });
  clientId = client.id;
});

test('create an operator admin with limited permissions', async ({ page, server }) => {
  await signInAsAdmin(page, server.adminPassword, '/users');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link')).toHaveText(['Dashboard', 'Clients', 'Users', 'Activity', 'Modules', 'Profile']);
  await expect(page.getByTestId('users-table')).toContainText('admin');
  // Deleting is disabled by the API: no delete button anywhere.
  await expect(page.getByRole('button', { name: /delete/i })).toHaveCount(0);
  await auditScreen(page, '40-users');

  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog', { name: 'New user' });
  // The API's rules, in the browser, before anything is sent.
  await dialog.getByLabel('Username').fill('x');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await expect(dialog.getByTestId('field-error-username')).toHaveText('must be 3 to 64 characters long');
  await expect(dialog.getByTestId('field-error-password')).toHaveText('must be at least 8 characters long');
  await expect(dialog.getByTestId('field-error-companyId')).toHaveText('is required for client users (roles user and client_admin)');
  // 60 is for staff only: disabled, with the reason, for a client user.
  await expect(dialog.getByTestId('perm-60')).toBeDisabled();
  await expect(dialog.getByTestId('perm-60-reason')).toHaveText("System Administration is for the operator's staff only.");
  await auditScreen(page, '41-create-user');

  await dialog.getByLabel('Name', { exact: true }).fill('Limited Operator');
  await dialog.getByLabel('Username').fill(adminUsername);
  await dialog.getByLabel('E-mail').fill(`${adminUsername}@example.com`);
  await dialog.getByLabel('Role').selectOption('admin');
  await expect(dialog.getByTestId('input-companyId')).toHaveCount(0);
  await expect(dialog.getByTestId('perm-60')).toBeEnabled();
  await dialog.getByLabel('Password', { exact: true }).fill('Limited-0perator!');
  for (const id of [1, 3, 20]) await dialog.getByTestId(`perm-${id}`).check();
  const created = page.waitForResponse((r) => r.url().endsWith('/api/users-management') && r.request().method() === 'POST');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  const body = (await (await created).json()) as { user: { id: number; role: string; permissions: number[] } };
  expect(body.user.role).toBe('admin');
  expect(body.user.permissions).toEqual([1, 3, 20]);
  const shown = page.getByTestId('credentials-dialog');
  await expect(shown.getByTestId('credential-username')).toHaveText(adminUsername);
  await expect(shown.getByTestId('credential-password')).toHaveText('Limited-0perator!');
  await shown.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('button', { name: 'Close, I have saved them' }).click();

  await page.getByTestId('users-search').fill(adminUsername);
  await expect(page.getByTestId('table-row')).toHaveCount(1);
  await expect(page).toHaveURL(new RegExp(`search=${adminUsername.replace(/\./g, '\\.')}`));
  await page.getByTestId('user-link').click();
  await expect(page.getByTestId('user-page')).toBeVisible();
  await expect(page.getByTestId('detail-role')).toHaveText('Admin');
  await auditScreen(page, '42-user-page');
});

test('import 50 users from a CSV with 3 bad rows: the dry run, the import, the passwords', async ({ page, server }) => {
  const header = 'name,username,email,role,permissions,companyId';
  const rows: string[] = [];
  for (let i = 1; i <= 50; i += 1) {
    const n = String(i).padStart(2, '0');
    rows.push(`Imported ${n},imp${tag}.${n},imp${n}.${tag}@example.com,user,1,${clientId}`);
  }
  rows[9] = `Bad Mail,imp${tag}.bad,not-an-email,user,1,${clientId}`; // line 11: invalid
  rows[19] = `Twice,imp${tag}.05,twice.${tag}@example.com,user,,${clientId}`; // line 21: repeats line 6's username
  rows[29] = `Taken,admin,taken.${tag}@example.com,user,,${clientId}`; // line 31: exists already
  const csv = [header, ...rows].join('\n') + '\n';

  await signInAsAdmin(page, server.adminPassword, '/users');
  await page.getByRole('link', { name: 'Import CSV' }).click();
  await expect(page.getByTestId('import-page')).toBeVisible();
  const sample = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download a sample CSV' }).click();
  expect((await sample).suggestedFilename()).toBe('users-sample.csv');
  expect((await readFile((await (await sample).path())!, 'utf8')).split('\r\n')[0]).toBe(header);
  await auditScreen(page, '43-import');

  const before = await (await Api.login(page.request, server.ipBaseUrl, 'admin', server.adminPassword)).count('/api/users-management');
  await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  const report = page.getByTestId('import-dry-run');
  await expect(report).toContainText('dry run: nothing written yet');
  await expect(page.getByTestId('import-count-rows')).toContainText('50');
  await expect(page.getByTestId('import-count-valid')).toContainText('47');
  await expect(page.getByTestId('import-count-invalid')).toContainText('1');
  await expect(page.getByTestId('import-count-duplicates')).toContainText('2');
  const bad = page.locator('[data-testid="import-row"][data-kind="invalid"]');
  await expect(bad).toHaveCount(1);
  await expect(bad).toContainText('11');
  await expect(bad).toContainText('email: must be a valid e-mail address');
  const duplicates = page.locator('[data-testid="import-row"][data-kind="duplicate"]');
  await expect(duplicates).toHaveCount(2);
  await expect(duplicates.nth(0)).toContainText('appears twice in this file (line 6)');
  await expect(duplicates.nth(1)).toContainText('Username already exists');
  // Nothing was written by the dry run.
  const api = await Api.login(page.request, server.ipBaseUrl, 'admin', server.adminPassword);
  expect(await api.count('/api/users-management')).toBe(before);
  await auditScreen(page, '44-import-dry-run');

  await page.getByRole('button', { name: 'Import the 47 valid rows, skip the 3 others' }).click();
  await expect(page.getByTestId('import-progress')).toBeVisible();
  const final = page.getByTestId('import-final');
  await expect(final).toBeVisible({ timeout: 60_000 });
  await expect(final.getByRole('heading')).toHaveText('Imported: 47 users');
  await expect(final.getByTestId('import-password')).toHaveCount(47);
  await auditScreen(page, '45-import-done');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download the passwords (CSV)' }).click();
  const lines = (await readFile((await (await download).path())!, 'utf8')).trim().split('\r\n');
  expect(lines[0]).toBe('username,password,loginUrl');
  expect(lines).toHaveLength(48);
  expect(await api.count('/api/users-management')).toBe(before + 47);

  // The imported user signs in with the one-time password shown for it… and must change it.
  const password = (await final.getByTestId('import-row').filter({ hasText: `imp${tag}.01` }).getByTestId('import-password').textContent()) ?? '';
  // The file holds the same password (with a leading ' where a spreadsheet would run it as a formula).
  const guarded = /^[=+\-@]/.test(password) ? `'${password}` : password;
  expect(lines[1]).toContain(`imp${tag}.01,`);
  expect(lines[1]).toContain(guarded.includes(',') || guarded.includes('"') ? `"${guarded.replace(/"/g, '""')}"` : guarded);
  const signInAs = await page.request.post(`${server.ipBaseUrl}/api/auth/login`, { data: { username: `imp${tag}.01`, password } });
  expect(signInAs.status()).toBe(200);
  expect(((await signInAs.json()) as { mustChangePassword: boolean }).mustChangePassword).toBe(true);
  const users = await api.get<{ users: { id: number }[] }>('/api/users-management', { search: `imp${tag}.01` });
  importedId = users.users[0]!.id;
});

test('edit permissions: replace, then add, with the API’s permissionDetails', async ({ page, server }) => {
  await signInAsAdmin(page, server.adminPassword, `/users/${importedId}`);
  const form = page.getByTestId('permissions-form');
  await expect(form.getByTestId('perm-area-users')).toContainText('View Users');
  await expect(form.getByTestId('perm-area-system')).toContainText('System Administration');
  await expect(form.getByTestId('perm-1')).toBeChecked();
  // A client user never gets 60.
  await expect(form.getByTestId('perm-60')).toBeDisabled();
  await form.getByTestId('perm-1').uncheck();
  await form.getByTestId('perm-10').check();
  await form.getByTestId('perm-11').check();
  await form.getByRole('button', { name: 'Replace permissions' }).click();
  const result = page.getByTestId('permissions-result');
  await expect(result).toContainText('User permissions updated successfully');
  await expect(result.getByTestId('permission-details')).toHaveText(/10\s*View Tickets\s*11\s*Create Tickets/);
  await auditScreen(page, '46-permissions-replaced');

  await form.getByTestId('permissions-mode-add').check();
  await expect(form.getByTestId('perm-10')).toBeDisabled(); // held already
  await form.getByTestId('perm-50').check();
  await form.getByRole('button', { name: 'Add permissions' }).click();
  await expect(result).toContainText('Permissions added successfully');
  await expect(result.getByTestId('permissions-added')).toHaveText('Added: 50');
  await expect(result.getByTestId('permission-details')).toContainText('View Activity Logs');

  // The reset, behind a confirmation, with the one-time password.
  await page.getByRole('button', { name: 'Reset password' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Reset password' }).click();
  const shown = page.getByTestId('credentials-dialog');
  await expect(shown.getByTestId('credential-username')).toHaveText(`imp${tag}.01`);
  expect(((await shown.getByTestId('credential-password').textContent()) ?? '').length).toBeGreaterThanOrEqual(12);
  await shown.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('button', { name: 'Close, I have saved them' }).click();
});

test('the activity log shows the changes with their before and after, secrets redacted', async ({ page, server }) => {
  await signInAsAdmin(page, server.adminPassword, `/activity?targetType=user&targetId=${importedId}`);
  await expect(page.getByTestId('filter-target-type')).toHaveValue('user');
  const entries = page.getByTestId('activity-entry');
  const replaced = page.locator('[data-testid="activity-entry"][data-action="update_permissions"]');
  await expect(replaced).toHaveCount(1);
  await expect(replaced.getByTestId('diff-from')).toContainText('1');
  await expect(replaced.getByTestId('diff-to')).toContainText('10, 11');
  const added = page.locator('[data-testid="activity-entry"][data-action="add_permissions"]');
  await expect(added.getByTestId('diff-to')).toContainText('10, 11, 50');
  await expect(added.getByTestId('diff-to')).toContainText('(+50)');
  await expect(page.locator('[data-action="reset_password"]').getByTestId('diff-redacted')).toHaveText('Secret: changed, value redacted');
  await expect(page.locator('[data-action="update_permissions"]').getByTestId('activity-target')).toHaveAttribute('href', `/users/${importedId}`);
  await auditScreen(page, '47-activity');

  // Filter by action in the URL, then export exactly that.
  await page.getByTestId('filter-action').selectOption('update_permissions');
  await expect(page).toHaveURL(/action=update_permissions/);
  await expect(entries).toHaveCount(1);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await readFile((await (await download).path())!, 'utf8');
  expect(file.trim().split('\n')).toHaveLength(2);
  expect(file).toContain('update_permissions');
});

test('the module catalogue: list, and add a module', async ({ page, server }) => {
  await signInAsAdmin(page, server.adminPassword, '/modules');
  await expect(page.getByTestId('modules-table')).toContainText('billing');
  await page.getByRole('button', { name: 'New module' }).click();
  const dialog = page.getByRole('dialog', { name: 'New module' });
  await dialog.getByLabel('Name').fill('Payroll');
  await dialog.getByRole('button', { name: 'Add module' }).click();
  await expect(dialog.getByTestId('field-error-name')).toContainText('lower-case letters');
  await dialog.getByLabel('Name').fill(`payroll_${tag.replace(/[^a-z0-9]/g, '')}`);
  await dialog.getByLabel('Label').fill('Payroll');
  await dialog.getByRole('button', { name: 'Add module' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('modules-table')).toContainText(`payroll_${tag.replace(/[^a-z0-9]/g, '')}`);
  await auditScreen(page, '48-modules');
});

test("a client's own database: its sync state, and a comparison with the main database", async ({ page, server }) => {
  await signInAsAdmin(page, server.adminPassword, `/clients/${clientId}/details`);
  const sync = page.getByTestId('client-sync');
  await expect(sync.getByTestId('sync-status')).toHaveText(/In sync|Being set up|Changes on their way/);
  // The outbox catches up with the 47 imported users.
  await expect(async () => {
    await page.reload();
    await expect(sync.getByTestId('sync-pending')).toHaveText('0');
  }).toPass({ timeout: 30_000 });
  await sync.getByRole('button', { name: 'Compare with the main database' }).click();
  await expect(sync.getByTestId('sync-result')).toHaveText('Both databases agree.');
  await auditScreen(page, '49-client-sync');
});
