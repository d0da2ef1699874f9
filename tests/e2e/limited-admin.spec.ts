import type { Page } from '@playwright/test';
import { Api } from './api';
import { auditScreen, expect, signIn, test } from './fixtures';

/**
 * A permission-limited operator admin (View Users, Edit Users, View Customers):
 * it sees only the sections it may use, and the controls it may not use are
 * disabled (with the reason) or absent.
 */
test.describe.configure({ mode: 'serial' });

const tag = Date.now().toString(36);
const password = 'Limited-Admin-2026!';
const ids = { below: 0, above: 0 };

async function signInAsLimited(page: Page, path = '/') {
  await page.goto(path);
  await signIn(page, `limited.${tag}`, password);
  await expect(page.getByTestId('app-shell')).toBeVisible();
}

test.beforeAll(async ({ request, server }) => {
  const root = await Api.login(request, server.ipBaseUrl, 'admin', server.adminPassword);
  const { client } = await root.createClient({ companyName: `Limited Scene ${tag}`, contactEmail: `scene-${tag}@example.com` });
  await root.send('POST', '/api/users-management', {
    name: 'Limited Admin',
    username: `limited.${tag}`,
    password: 'First-Passw0rd-x',
    role: 'admin',
    permissions: [1, 3, 20],
  });
  type Saved = { user: { id: number } };
  ids.below = (await root.send<Saved>('POST', '/api/users-management', { name: 'Below Person', username: `below.${tag}`, password: 'Below-Passw0rd-x', companyId: client.id, permissions: [1] })).user.id;
  ids.above = (await root.send<Saved>('POST', '/api/users-management', { name: 'Above Person', username: `above.${tag}`, password: 'Above-Passw0rd-x', companyId: client.id, permissions: [1, 50] })).user.id;
  // Its first password is changed, as at its first sign-in.
  const first = await request.post(`${server.ipBaseUrl}/api/auth/login`, { data: { username: `limited.${tag}`, password: 'First-Passw0rd-x' } });
  const { accessToken } = (await first.json()) as { accessToken: string };
  const changed = await request.post(`${server.ipBaseUrl}/api/auth/change-password`, {
    headers: { Authorization: `Bearer ${accessToken}` },
    data: { currentPassword: 'First-Passw0rd-x', newPassword: password },
  });
  expect(changed.status()).toBe(200);
});

test('sees only the sections it may use', async ({ page }) => {
  await signInAsLimited(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link')).toHaveText(['Dashboard', 'Clients', 'Users', 'Modules', 'Profile']);
  await auditScreen(page, '60-limited-dashboard');

  await page.goto('/activity');
  await expect(page.getByTestId('forbidden-page')).toContainText('View Activity Logs');
  await page.goto('/users/import');
  await expect(page.getByTestId('forbidden-page')).toContainText('Create Users');

  await page.goto('/clients');
  await expect(page.getByTestId('clients-page')).toBeVisible();
  await expect(page.getByRole('button', { name: 'New client' })).toHaveCount(0);
  await page.goto('/modules');
  await expect(page.getByTestId('modules-table')).toContainText('billing');
  await expect(page.getByRole('button', { name: 'New module' })).toHaveCount(0);
  await expect(page.getByTestId('modules-page')).toContainText('needs the System Administration permission (60)');

  await page.goto('/users');
  await expect(page.getByTestId('users-table')).toBeVisible();
  await expect(page.getByRole('button', { name: 'New user' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Import CSV' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Export CSV' })).toBeVisible();
  await auditScreen(page, '61-limited-users');
});

test('the controls it may not use are disabled with the reason, or absent', async ({ page }) => {
  // A user below it: edit, reset and deactivate; its permissions are read-only without 5.
  await signInAsLimited(page, `/users/${ids.below}`);
  await expect(page.getByRole('button', { name: 'Edit' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Reset password' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Deactivate' })).toBeVisible();
  await expect(page.getByTestId('permissions-readonly')).toHaveText('Changing permissions needs the Manage User Permissions permission (5).');
  await expect(page.getByTestId('perm-1')).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Replace permissions' })).toHaveCount(0);
  await auditScreen(page, '62-limited-user-below');

  // The edit form offers no staff role (only a super admin appoints staff).
  await page.getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit Below Person' });
  await expect(dialog.getByLabel('Role').locator('option')).toHaveText(['User', 'Client admin']);
  await dialog.getByLabel('Name', { exact: true }).fill('Below Person Renamed');
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Below Person Renamed');

  // Deactivate instead of delete, after a confirmation.
  await page.getByRole('button', { name: 'Deactivate' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Deactivate' }).click();
  await expect(page.getByRole('button', { name: 'Reactivate' })).toBeVisible();

  // A user holding a permission it lacks is above it: read-only, with the reason.
  await page.goto(`/users/${ids.above}`);
  await expect(page.getByTestId('user-readonly')).toContainText('This user is above you and read-only for you. It holds permission 50, which you do not.');
  await expect(page.getByRole('button', { name: 'Edit' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Reset password' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Deactivate' })).toHaveCount(0);
  await auditScreen(page, '63-limited-user-above');

  // The super admin, too.
  await page.goto('/users?role=super_admin');
  await page.getByTestId('user-link').first().click();
  await expect(page.getByTestId('user-readonly')).toContainText("Only a super admin may change the operator's staff.");
});
