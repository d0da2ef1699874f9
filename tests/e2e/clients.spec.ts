import { Api } from './api';
import { auditScreen, closeModal, expect, signIn, test, userMenu } from './fixtures';
import type { Page } from '@playwright/test';

/**
 * An operator's walk through the clients workspace, in order: create a client
 * and hand out its credentials, the client signs in and is later locked out,
 * its users, modules, credits, details and activity.
 */
test.describe.configure({ mode: 'serial' });
test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

const company = `Asha Textiles ${Date.now().toString(36)}`;
let clientId = 0;
let credentials = { username: '', password: '' };

async function signInAsAdmin(page: Page, adminPassword: string, path = '/') {
  await page.goto(path);
  await signIn(page, 'admin', adminPassword);
  await expect(page.getByTestId('app-shell')).toBeVisible();
}

async function openClient(page: Page, tab: string) {
  await page.goto(`/clients/${clientId}/${tab}`);
  await expect(page.getByTestId(`panel-${tab}`)).toBeVisible();
}

test('create a client with every field, and copy its one-time credentials', async ({ page, server }) => {
  await signInAsAdmin(page, server.adminPassword, '/clients');
  await expect(page.getByRole('heading', { level: 1, name: 'Clients' })).toBeVisible();
  await page.getByRole('button', { name: 'New client' }).click();
  const dialog = page.getByRole('dialog', { name: 'New client' });
  await expect(dialog).toBeVisible();
  await auditScreen(page, '10-create-client');

  // The browser refuses with the API's own rules and words, before anything is sent.
  await dialog.getByLabel('Company name').fill(company);
  await dialog.getByLabel('Contact e-mail').fill('asha@localhost');
  await dialog.getByLabel('GST number').fill('27AAPFU0939F1ZA');
  await dialog.getByLabel('Phone number').fill('12345');
  await dialog.getByRole('button', { name: 'Create client' }).click();
  await expect(dialog.getByTestId('field-error-contactEmail')).toHaveText('must be a valid e-mail address');
  await expect(dialog.getByTestId('field-error-gstNumber')).toHaveText('has a wrong check character');
  await expect(dialog.getByTestId('field-error-phoneNumber')).toHaveText('must be a valid phone number, e.g. +917093635305');
  // Focus goes to the first refused field on screen.
  await expect(dialog.getByLabel('GST number')).toBeFocused();
  await auditScreen(page, '11-create-client-invalid');

  await dialog.getByLabel('Contact e-mail').fill('asha@textiles.example');
  await dialog.getByLabel('Contact name').fill('Asha Rao');
  await dialog.getByLabel('Phone number').fill('7093635305');
  await dialog.getByLabel('WhatsApp number').fill('+91 70936 35305');
  await dialog.getByLabel('Business address').fill('12 MG Road\nBengaluru');
  await dialog.getByLabel('Business type').selectOption('wholesale');
  await dialog.getByLabel('GST number').fill('27AAPFU0939F1ZV');
  await dialog.getByLabel('Website').fill('https://asha.example');
  await dialog.getByLabel('Lead status').selectOption('qualified');
  await dialog.getByLabel('Notes').fill('Met at the trade fair.');
  const created = page.waitForResponse((r) => r.url().endsWith('/api/clients') && r.request().method() === 'POST');
  await dialog.getByRole('button', { name: 'Create client' }).click();
  const body = (await (await created).json()) as { client: { id: number } };
  clientId = body.client.id;

  // The credentials, once: each with a copy button, the share message and its links.
  const shown = page.getByTestId('credentials-dialog');
  await expect(shown).toBeVisible();
  await expect(shown.getByTestId('shown-once')).toContainText('cannot be shown again');
  credentials = {
    username: (await shown.getByTestId('credential-username').textContent()) ?? '',
    password: (await shown.getByTestId('credential-password').textContent()) ?? '',
  };
  expect(credentials.username).toMatch(/^ashatextiles/);
  expect(credentials.password.length).toBeGreaterThanOrEqual(12);
  // The page's own origin (the API strips its api. host): where the client signs in.
  await expect(shown.getByTestId('credential-login-url')).toHaveText(`${server.baseUrl}/login`);

  await shown.getByRole('button', { name: 'Copy password' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(credentials.password);
  await shown.getByRole('button', { name: 'Copy username' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(credentials.username);
  await expect(shown.getByRole('link', { name: 'Send on WhatsApp' })).toHaveAttribute('href', /^https:\/\/wa\.me\/917093635305\?text=/);
  const mailto = decodeURIComponent((await shown.getByRole('link', { name: 'Send by e-mail' }).getAttribute('href')) ?? '');
  expect(mailto).toMatch(/^mailto:asha@textiles\.example\?subject=/);
  expect(mailto).toContain(`Password: ${credentials.password}`);
  expect(await shown.getByTestId('share-text').inputValue()).toContain(`Password: ${credentials.password}`);
  await auditScreen(page, '12-credentials');

  // Closing asks first; the password cannot be shown again.
  await page.keyboard.press('Escape');
  const confirm = page.getByRole('alertdialog', { name: 'Close the credentials?' });
  await expect(confirm).toBeVisible();
  await auditScreen(page, '13-credentials-confirm-close');
  await confirm.getByRole('button', { name: 'Keep them open' }).click();
  await expect(shown).toBeVisible();
  await shown.getByRole('button', { name: 'Done' }).click();
  await confirm.getByRole('button', { name: 'Close, I have saved them' }).click();
  await expect(shown).toHaveCount(0);
  // Focus returns to the button that started it all.
  await expect(page.getByRole('button', { name: 'New client' })).toBeFocused();

  // The list shows it, first (newest first), and its row opens it.
  const first = page.getByTestId('table-row').first();
  await expect(first).toContainText(company);
  await first.getByRole('cell').first().click();
  await expect(page).toHaveURL(new RegExp(`/clients/${clientId}/details$`));
  await expect(page.getByRole('heading', { level: 1, name: company })).toBeVisible();
  const details = page.getByTestId('client-details');
  await expect(details).toContainText('+917093635305');
  await expect(details).toContainText('27AAPFU0939F1ZV');
  await expect(details).toContainText('Wholesale');
  await expect(details).toContainText('Qualified');
  await auditScreen(page, '14-client-details');
});

test('the client signs in on the Client tab, changes its password, and deactivation ends its session', async ({
  page,
  server,
  browser,
}) => {
  // The client, in a browser of its own.
  const clientContext = await browser.newContext({ baseURL: server.baseUrl });
  const client = await clientContext.newPage();
  await client.goto('/login');
  await client.getByRole('tab', { name: 'Client' }).click();
  await signIn(client, credentials.username, credentials.password);
  await expect(client.getByTestId('change-password-page')).toBeVisible();
  await auditScreen(client, '03-change-password');
  const form = client.getByTestId('change-password-form');
  const newPassword = 'Asha-Textiles-2026!';
  await form.getByLabel('Current password').fill(credentials.password);
  await form.getByLabel('New password', { exact: true }).fill(newPassword);
  await form.getByLabel('Confirm new password').fill(newPassword);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(client.getByTestId('modal-title')).toHaveText('Password changed');
  await closeModal(client);
  await expect(client.getByTestId('dashboard-page')).toBeVisible();

  // A client's owner sees no operator sections, and is told so when it tries one.
  const nav = client.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link')).toHaveText(['Dashboard', 'My company', 'Users', 'Activity', 'Profile']);
  await expect(client.getByTestId('stat-users')).toBeVisible();
  await expect(client.getByTestId('stat-active-clients')).toHaveCount(0);
  await auditScreen(client, '04-dashboard-client-owner');
  await client.goto('/clients');
  await expect(client.getByTestId('forbidden-page')).toBeVisible();
  await auditScreen(client, '91-forbidden');
  await userMenu(client, 'Profile');
  await expect(client.getByTestId('profile-page')).toBeVisible();

  // The operator deactivates the client, after a confirmation.
  await signInAsAdmin(page, server.adminPassword, `/clients/${clientId}`);
  await page.getByRole('button', { name: 'Deactivate' }).click();
  const confirm = page.getByRole('alertdialog', { name: `Deactivate ${company}?` });
  await expect(confirm).toContainText('signed out at once');
  await auditScreen(page, '15-confirm-deactivate');
  await confirm.getByRole('button', { name: 'Deactivate' }).click();
  await expect(page.getByTestId('status-badge')).toHaveText('Inactive');
  await expect(page.getByRole('button', { name: 'Activate' })).toBeVisible();

  // The client's next request ends its session: back to sign-in, with the reason, and
  // (once it may sign in again) back to where it was.
  await client.getByTestId('profile-form').getByLabel('Name').fill('Asha R.');
  await client.getByRole('button', { name: 'Save changes' }).click();
  await expect(client.getByTestId('login-page')).toBeVisible();
  await expect(client).toHaveURL(/\/login\?next=%2Fprofile$/);
  await expect(client.getByTestId('modal-title')).toHaveText('Session ended');
  await expect(client.getByTestId('modal-message')).toContainText('This account is deactivated');
  await auditScreen(client, '02-session-ended');
  await closeModal(client);
  await client.getByRole('tab', { name: 'Client' }).click();
  await signIn(client, credentials.username, newPassword);
  await expect(client.getByTestId('modal-message')).toContainText('deactivated');
  await closeModal(client);

  await page.getByRole('button', { name: 'Activate' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Reactivate' }).click();
  await expect(page.getByTestId('status-badge')).toHaveText('Active');
  await signIn(client, credentials.username, newPassword);
  await expect(client).toHaveURL(/\/profile$/);
  await expect(client.getByTestId('profile-page')).toBeVisible();
  await clientContext.close();
});

test('add a user to the client (seed 000), with its temporary password shown once', async ({ page, server }) => {
  await signInAsAdmin(page, server.adminPassword, `/clients/${clientId}/users`);
  const users = page.getByTestId('client-users-table');
  await expect(users.getByTestId('table-row')).toHaveCount(1);
  await auditScreen(page, '16-client-users');

  await page.getByRole('button', { name: 'Add user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add new user' });
  await expect(dialog.getByLabel('Role').locator('option')).toHaveText(['User', 'Client admin']);
  await auditScreen(page, '17-add-user');
  await dialog.getByLabel('Name').fill('Ravi Kumar');
  await dialog.getByLabel('E-mail').fill('ravi@textiles.example');
  await dialog.getByLabel('Role').selectOption('user');
  await dialog.getByRole('button', { name: 'Add user' }).click();

  const shown = page.getByTestId('credentials-dialog');
  await expect(shown).toBeVisible();
  await expect(shown.getByTestId('shown-once')).toBeVisible();
  const username = (await shown.getByTestId('credential-username').textContent()) ?? '';
  expect(username).not.toBe('');
  await shown.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Close, I have saved them' }).click();

  // The list was refreshed: the owner and the new user, who must change the password.
  await expect(users.getByTestId('table-row')).toHaveCount(2);
  const row = users.getByTestId('table-row').filter({ hasText: 'Ravi Kumar' });
  await expect(row).toContainText(username);
  await expect(row).toContainText('Password to change');
});

test('set the client’s modules', async ({ page, server, request }) => {
  await signInAsAdmin(page, server.adminPassword);
  // The tabs by keyboard: arrows move, Enter opens (a URL of its own), focus stays on the tab.
  await openClient(page, 'details');
  await page.getByRole('tab', { name: 'Details' }).focus();
  // Radix moves the focus a task after the key (a setTimeout): each press waits for it,
  // as a person waits to see where the focus went (two presses at once both leave Details).
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Users' })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Modules' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/clients/${clientId}/modules$`));
  await expect(page.getByRole('tab', { name: 'Modules' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tab', { name: 'Modules' })).toBeFocused();
  await expect(page).toHaveTitle(`${company} · Modules · Clientele`);
  const billing = page.getByRole('switch', { name: /Billing/ });
  const reports = page.getByRole('switch', { name: /^Reports/ });
  await expect(billing).toHaveAttribute('aria-checked', 'false');
  await billing.click();
  // Keyboard works too.
  await reports.focus();
  await page.keyboard.press('Space');
  await expect(reports).toHaveAttribute('aria-checked', 'true');
  await auditScreen(page, '18-client-modules');
  await page.getByRole('button', { name: 'Save modules' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Modules saved' })).toBeVisible();

  const api = await Api.login(request, server.ipBaseUrl, 'admin', server.adminPassword);
  const saved = await api.get<{ modules: string[] }>(`/api/clients/${clientId}/modules`);
  expect(saved.modules.sort()).toEqual(['billing', 'reports']);
  await page.reload();
  await expect(page.getByRole('switch', { name: /Billing/ })).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByRole('switch', { name: /Inventory/ })).toHaveAttribute('aria-checked', 'false');
});

test('adjust credits, and be refused below zero with the API’s message', async ({ page, server, request }) => {
  await signInAsAdmin(page, server.adminPassword);
  await openClient(page, 'credits');
  const form = page.getByTestId('credit-form');
  await form.getByLabel('Amount').fill('100');
  await form.getByLabel('Reason').fill('Opening balance');
  await form.getByRole('button', { name: 'Record adjustment' }).click();
  await expect(page.getByTestId('credit-balance')).toHaveText('100');

  await form.getByLabel('Deduct credits').check();
  await form.getByLabel('Amount').fill('150');
  await form.getByLabel('Reason').fill('More than there is');
  await form.getByRole('button', { name: 'Record adjustment' }).click();
  const refusal = 'Insufficient credits: the balance is 100, so it cannot change by -150';
  await expect(page.getByTestId('modal-title')).toHaveText('Credits not adjusted');
  await expect(page.getByTestId('modal-message')).toHaveText(refusal);
  await closeModal(page);
  await expect(form.getByTestId('field-error-amount')).toHaveText(refusal);
  await expect(page.getByTestId('credit-balance')).toHaveText('100');
  await auditScreen(page, '19-client-credits-refused');

  await form.getByLabel('Amount').fill('30');
  await form.getByLabel('Reason').fill('Monthly usage');
  await form.getByRole('button', { name: 'Record adjustment' }).click();
  await expect(page.getByTestId('credit-balance')).toHaveText('70');

  // The ledger pages: ten more entries push the first two to page 2.
  const api = await Api.login(request, server.ipBaseUrl, 'admin', server.adminPassword);
  for (let i = 1; i <= 10; i += 1) {
    await api.send('POST', `/api/clients/${clientId}/credits`, { delta: 1, reason: `Top-up ${i}` });
  }
  await page.reload();
  const ledger = page.getByTestId('credits-table');
  await expect(page.getByTestId('credit-balance')).toHaveText('80');
  await expect(ledger.getByTestId('table-row')).toHaveCount(10);
  await expect(page.getByTestId('pagination-summary').last()).toHaveText('Showing 1–10 of 12 entries');
  await page.getByTestId('page-next').click();
  await expect(page).toHaveURL(/credits\?page=2$/);
  await expect(ledger.getByTestId('table-row')).toHaveCount(2);
  await expect(ledger.getByTestId('table-row').last()).toContainText('Opening balance');
  await page.goBack();
  await expect(ledger.getByTestId('table-row')).toHaveCount(10);
});

test('edit the details, reset the password, and read the client’s activity', async ({ page, server }) => {
  await signInAsAdmin(page, server.adminPassword);
  await openClient(page, 'details');
  await page.getByRole('button', { name: 'Edit details' }).click();
  const form = page.getByTestId('client-edit-form');
  await expect(form.getByRole('button', { name: 'Save changes' })).toBeDisabled();
  await form.getByLabel('Lead status').selectOption('customer');
  await form.getByLabel('Contact name').fill('');
  await form.getByLabel('Website').fill('not a url');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(form.getByTestId('field-error-website')).toHaveText('must be an http:// or https:// URL');
  await auditScreen(page, '20-client-edit');
  await form.getByLabel('Website').fill('https://asha-textiles.example');
  await form.getByRole('button', { name: 'Save changes' }).click();
  const details = page.getByTestId('client-details');
  await expect(details).toContainText('Customer');
  await expect(details).toContainText('https://asha-textiles.example/');
  await expect(page.getByTestId('toast').filter({ hasText: 'Client saved' })).toBeVisible();

  await page.getByRole('button', { name: 'Reset password' }).click();
  const confirm = page.getByRole('alertdialog');
  await expect(confirm).toContainText(credentials.username);
  await confirm.getByRole('button', { name: 'Reset password' }).click();
  const shown = page.getByTestId('credentials-dialog');
  await expect(shown.getByTestId('credential-username')).toHaveText(credentials.username);
  await expect(shown.getByTestId('credential-password')).not.toHaveText(credentials.password);
  await shown.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Close, I have saved them' }).click();
  await expect(page.getByRole('button', { name: 'Reset password' })).toBeFocused();

  await page.getByRole('tab', { name: 'Activity' }).click();
  await expect(page).toHaveURL(new RegExp(`/clients/${clientId}/activity$`));
  const entries = page.getByTestId('activity-entry');
  await expect(entries.first()).toContainText('reset the password of');
  // Each change as a before/after diff.
  const leadStatus = page.getByTestId('client-activity').getByTestId('diff-row').filter({ hasText: 'Lead status' }).first();
  await expect(leadStatus.getByTestId('diff-from')).toHaveText('qualified');
  await expect(leadStatus.getByTestId('diff-to')).toHaveText('customer');
  await expect(page.getByTestId('client-activity')).toContainText('adjusted the credits of');
  await auditScreen(page, '21-client-activity');
  // Targets link to their pages: the owner (a user) to its user page, the client to its page.
  await entries.first().getByTestId('activity-target').click();
  await expect(page).toHaveURL(/\/users\/\d+$/);
  await expect(page.getByTestId('user-page')).toBeVisible();
  await page.goBack();
  await entries.filter({ hasText: 'updated' }).first().getByTestId('activity-target').click();
  await expect(page).toHaveURL(new RegExp(`/clients/${clientId}/details$`));
});
