import type { Page } from '@playwright/test';
import { Api } from './api';
import { auditScreen, closeModal, expect, signIn, test } from './fixtures';

/**
 * A client's owner (issue 28): signs in through the Client tab, changes its
 * first password with the policy shown as it types, adds a user to its company
 * (seed 000's Add New User), gives it modules and permissions within what it
 * holds, and sees only its own company.
 */
test.describe.configure({ mode: 'serial' });

const tag = Date.now().toString(36);
const company = `Owner Works ${tag}`;
const newPassword = 'Owner-Works-2026!';
const scene = { clientId: 0, username: '', password: '', otherClientId: 0, otherOwnerId: 0, addedId: 0 };

async function signInAsOwner(page: Page, path = '/') {
  await page.goto(path === '/' ? '/login' : path);
  await page.getByRole('tab', { name: 'Client' }).click();
  await signIn(page, scene.username, newPassword);
  await expect(page.getByTestId('app-shell')).toBeVisible();
}

test.beforeAll(async ({ request, server }) => {
  const root = await Api.login(request, server.ipBaseUrl, 'admin', server.adminPassword);
  const mine = await root.createClient({ companyName: company, contactEmail: `owner-${tag}@example.com` });
  scene.clientId = mine.client.id;
  scene.username = mine.credentials.username;
  scene.password = mine.credentials.password;
  await root.send('PUT', `/api/clients/${scene.clientId}/modules`, { modules: ['billing', 'crm'] });
  const other = await root.createClient({ companyName: `Someone Else ${tag}`, contactEmail: `else-${tag}@example.com` });
  scene.otherClientId = other.client.id;
  const full = await root.get<{ client: { ownerId: number } }>(`/api/clients/${other.client.id}`);
  scene.otherOwnerId = full.client.ownerId;
});

test('signs in through the Client tab and changes its first password, the rules shown as it types', async ({ page }) => {
  await page.goto('/login');
  await page.getByRole('tab', { name: 'Client' }).click();
  await signIn(page, scene.username, scene.password);
  await expect(page.getByTestId('change-password-page')).toBeVisible();
  const form = page.getByTestId('change-password-form');
  await form.getByLabel('Current password').fill(scene.password);
  await form.getByLabel('New password', { exact: true }).fill('short');
  await expect(form.getByTestId('rule-min')).toHaveAttribute('data-state', 'bad');
  await expect(form.getByTestId('rule-common')).toHaveAttribute('data-state', 'pending');
  // "Common" is the server's to judge: it says so, and the rule shows its words.
  await form.getByLabel('New password', { exact: true }).fill('password123');
  await expect(form.getByTestId('rule-min')).toHaveAttribute('data-state', 'ok');
  await form.getByLabel('Confirm new password').fill('password123');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByTestId('modal-title')).toHaveText('Password not changed');
  await closeModal(page);
  await expect(form.getByTestId('rule-common')).toHaveAttribute('data-state', 'bad');
  await expect(form.getByTestId('rule-common')).toContainText('most common');
  await auditScreen(page, '50-owner-first-password');

  await form.getByLabel('New password', { exact: true }).fill(newPassword);
  await form.getByLabel('Confirm new password').fill(newPassword);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByTestId('modal-title')).toHaveText('Password changed');
  await closeModal(page);

  // Its own company's dashboard; nothing operator-only in its navigation.
  await expect(page.getByTestId('company-summary')).toContainText(company);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link')).toHaveText(['Dashboard', 'My company', 'Users', 'Activity', 'Profile']);
  await auditScreen(page, '51-owner-dashboard');
});

test('adds a user with seed 000’s Add New User, and gives it modules and permissions', async ({ page }) => {
  await signInAsOwner(page);
  await page.getByRole('link', { name: 'Manage your company' }).click();
  await expect(page).toHaveURL(/\/company\/users$/);
  await page.getByRole('button', { name: 'Add user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add new user' });
  await dialog.getByLabel('Name').fill('Ravi Kumar');
  await dialog.getByLabel('E-mail').fill(`ravi.${tag}@example.com`);
  // Seed 000: never operator staff from here.
  await expect(dialog.getByLabel('Role').locator('option')).toHaveText(['User', 'Client admin']);
  const added = page.waitForResponse((r) => r.url().endsWith(`/api/clients/${scene.clientId}/users`) && r.request().method() === 'POST');
  await dialog.getByRole('button', { name: 'Add user' }).click();
  scene.addedId = ((await (await added).json()) as { user: { id: number } }).user.id;
  const shown = page.getByTestId('credentials-dialog');
  await expect(shown.getByTestId('credential-password')).not.toBeEmpty();
  await shown.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('button', { name: 'Close, I have saved them' }).click();
  await auditScreen(page, '52-owner-company-users');

  await page.getByRole('link', { name: 'Ravi Kumar' }).click();
  await expect(page).toHaveURL(new RegExp(`/users/${scene.addedId}$`));
  const modules = page.getByTestId('user-modules-panel');
  await expect(modules.getByTestId('module-billing')).toBeChecked();
  await expect(modules.getByTestId('module-crm')).toBeChecked();
  await modules.getByTestId('module-crm').uncheck();
  await modules.getByRole('button', { name: 'Save modules' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Modules saved' })).toBeVisible();
  await expect(modules.getByTestId('module-crm')).not.toBeChecked();

  // Permissions within what it holds: the others are disabled, with the reason.
  const form = page.getByTestId('permissions-form');
  await expect(form.getByTestId('perm-20')).toBeDisabled();
  await expect(form.getByTestId('perm-20-reason')).toHaveText('You do not hold this permission, so you cannot grant or revoke it.');
  await expect(form.getByTestId('perm-60')).toBeDisabled();
  await form.getByTestId('perm-1').check();
  await form.getByTestId('perm-50').check();
  await form.getByRole('button', { name: 'Replace permissions' }).click();
  await expect(page.getByTestId('permission-details')).toContainText('View Activity Logs');
  await auditScreen(page, '53-owner-user-page');
});

test('sees only its own company', async ({ page, request, server }) => {
  await signInAsOwner(page, '/users');
  const owner = await Api.login(request, server.ipBaseUrl, scene.username, newPassword);
  const all = await owner.count('/api/users-management');
  expect(all).toBe(await owner.count('/api/users-management', { companyId: scene.clientId }));
  await expect(page.getByTestId('pagination-summary')).toContainText(`of ${all} users`);
  await expect(page.getByTestId('filter-client-search')).toHaveCount(0);
  await auditScreen(page, '54-owner-users');

  await page.goto(`/users/${scene.otherOwnerId}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This user does not exist');
  await page.goto(`/clients/${scene.otherClientId}`);
  await expect(page.getByTestId('forbidden-page')).toBeVisible();

  await page.goto('/activity');
  await expect(page.getByTestId('activity-entry').first()).toBeVisible();
  await expect(page.getByTestId('filter-client')).toHaveCount(0);
  const log = await owner.get<{ entries: { companyId: number | null }[] }>('/api/activity', { limit: 100 });
  expect(log.entries.every((e) => e.companyId === scene.clientId)).toBe(true);
  await auditScreen(page, '55-owner-activity');

  for (const tab of ['details', 'modules', 'credits']) {
    await page.goto(`/company/${tab}`);
    await expect(page.getByTestId(`panel-${tab}`)).toBeVisible();
    await auditScreen(page, `56-owner-company-${tab}`);
  }
  // Read only: no adjusting credits, no switching modules.
  await expect(page.getByRole('heading', { name: 'Adjust' })).toHaveCount(0);
});

test('profile: sign out everywhere else ends the other sessions, not this one', async ({ page, request, server }) => {
  const other = await Api.login(request, server.ipBaseUrl, scene.username, newPassword);
  await signInAsOwner(page, '/profile');
  await expect(page.getByTestId('profile-password')).toBeVisible();
  await auditScreen(page, '57-owner-profile');
  await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Sign out other sessions' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Signed out everywhere else' })).toBeVisible();
  // The other session's token stops working; this page goes on.
  const response = await request.get(`${server.ipBaseUrl}/api/auth/me`, { headers: other.authHeaders() });
  expect(response.status()).toBe(401);
  await page.reload();
  await expect(page.getByTestId('profile-page')).toBeVisible();
});
