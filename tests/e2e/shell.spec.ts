import { Api } from './api';
import path from 'node:path';
import { auditScreen, closeModal, expect, expectAccessible, PHONE, signIn, test, userMenu, WIDE } from './fixtures';
import { RESULTS_DIR } from './paths';

test('a deep link survives sign-in; titles, the back button and unknown URLs', async ({ page, server }) => {
  await page.goto('/clients?status=inactive&sort=companyName');
  await expect(page.getByTestId('login-page')).toBeVisible();
  await auditScreen(page, '01-login');
  await signIn(page, 'admin', server.adminPassword);
  await expect(page).toHaveURL(/\/clients\?status=inactive&sort=companyName$/);
  await expect(page).toHaveTitle('Clients · Clientele');
  await expect(page.getByLabel('Status', { exact: true })).toHaveValue('inactive');

  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link')).toHaveText(['Dashboard', 'Clients', 'Users', 'Activity', 'Modules', 'Profile']);
  await expect(nav.getByRole('link', { name: 'Clients' })).toHaveAttribute('aria-current', 'page');
  await nav.getByRole('link', { name: 'Dashboard' }).click();
  await expect(page).toHaveTitle('Dashboard · Clientele');
  await page.goBack();
  await expect(page).toHaveURL(/\/clients\?status=inactive&sort=companyName$/);
  await page.goForward();
  await expect(page).toHaveURL(/\/$/);

  await userMenu(page, 'Profile');
  await expect(page).toHaveTitle('Profile · Clientele');
  await auditScreen(page, '30-profile');

  await page.goto('/no/such/page');
  await expect(page.getByTestId('not-found-page')).toBeVisible();
  await expect(page).toHaveTitle('Not found · Clientele');
  await auditScreen(page, '90-not-found');
  await page.goto('/clients/999999');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This client does not exist');
  await page.goto('/clients/1/no-such-tab');
  await expect(page.getByTestId('not-found-page')).toBeVisible();
});

test('at phone width the sidebar is a menu; the keyboard reaches everything', async ({ page, server }) => {
  await page.setViewportSize(PHONE);
  await page.goto('/');
  await signIn(page, 'admin', server.adminPassword);
  await expect(page.getByTestId('dashboard-page')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  await page.getByRole('button', { name: 'Open navigation' }).click();
  const sheet = page.getByTestId('nav-sheet');
  await expect(sheet.getByRole('link', { name: 'Clients' })).toBeVisible();
  // The sheet exists at phone width only.
  await expectAccessible(page, '31-nav-menu');
  await page.screenshot({ path: path.join(RESULTS_DIR, 'screens', '31-nav-menu-390.png') });
  await page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();
  await expect(page.getByRole('button', { name: 'Open navigation' })).toBeFocused();
  await page.keyboard.press('Enter');
  await sheet.getByRole('link', { name: 'Clients' }).click();
  await expect(sheet).toBeHidden();
  await expect(page).toHaveURL(/\/clients$/);

  // Keyboard only: skip to the content, open the account menu, move in it, leave it.
  await page.setViewportSize(WIDE);
  await page.goto('/');
  await expect(page.getByTestId('dashboard-page')).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#main')).toBeFocused();
  await page.getByTestId('user-menu').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('menuitem', { name: 'Profile' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem', { name: 'Sign out' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('user-menu')).toBeFocused();
});

test('a session ended elsewhere returns to sign-in with a message, then to the page', async ({ page, server, request }) => {
  const operator = await server.createActiveOperator('Session Ender', 'Session-Pass-2026!', request);
  await page.goto('/clients?search=abc');
  await signIn(page, operator.username, operator.password);
  await expect(page.getByTestId('clients-page')).toBeVisible();

  // The same operator changes its password from elsewhere: every other session ends.
  const api = await Api.login(request, server.ipBaseUrl, operator.username, operator.password);
  await api.send('POST', '/api/auth/change-password', { currentPassword: operator.password, newPassword: 'Session-Pass-2027!' }, 200);

  await page.reload();
  await expect(page.getByTestId('login-page')).toBeVisible();
  await expect(page).toHaveURL(/\/login\?next=%2Fclients%3Fsearch%3Dabc$/);
  await expect(page.getByTestId('modal-title')).toHaveText('Session ended');
  await closeModal(page);
  await expect(page.getByTestId('login-next')).toBeVisible();
  await signIn(page, operator.username, 'Session-Pass-2027!');
  await expect(page).toHaveURL(/\/clients\?search=abc$/);
  await expect(page.getByRole('searchbox', { name: 'Search clients' })).toHaveValue('abc');
});
