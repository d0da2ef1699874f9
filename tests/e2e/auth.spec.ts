import { closeModal, expect, signIn, snap, test, userMenu } from './fixtures';

test.describe('login page', () => {
  test('shows the operator and client tabs and calls the api. subdomain', async ({ page, server }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole('heading', { name: 'Sign in to your account' })).toBeVisible();
    await expect(page.getByRole('tab', { name: 'Operator' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('tab', { name: 'Client' })).toHaveAttribute('aria-selected', 'false');
    await expect(page.getByLabel('Username or email')).toBeVisible();
    await expect(page.getByLabel('Password', { exact: true })).toBeVisible();
    const apiBase = server.baseUrl.replace('://', '://api.');
    await expect(page.locator('html')).toHaveAttribute('data-api-base-url', apiBase);
    await snap(page, '01-login');
  });

  test('wrong password shows the error in the modal', async ({ page, server }) => {
    await page.goto('/');
    await signIn(page, 'admin', `${server.adminPassword}-wrong`);
    const dialog = page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('modal-title')).toHaveText('Sign-in failed');
    await expect(dialog.getByTestId('modal-message')).toHaveText('Invalid username or password');
    await snap(page, '02-login-wrong-password');
    await closeModal(page);
    await expect(page.getByTestId('login-page')).toBeVisible();
  });

  test('the client tab refuses the operator account with the same error', async ({ page, server }) => {
    await page.goto('/');
    await page.getByRole('tab', { name: 'Client' }).click();
    await expect(page.getByRole('tab', { name: 'Client' })).toHaveAttribute('aria-selected', 'true');
    const request = page.waitForRequest((r) => r.url().endsWith('/auth/client-login'));
    await signIn(page, 'admin', server.adminPassword);
    expect((await request).method()).toBe('POST');
    await expect(page.getByTestId('modal-message')).toHaveText('Invalid username or password');
    await snap(page, '03-client-tab-operator-refused');
    await closeModal(page);
    await expect(page.getByTestId('login-page')).toBeVisible();
  });
});

test.describe('signed in', () => {
  test('operator login opens the dashboard; the profile shows the user', async ({ page, server }) => {
    await page.goto('/');
    await signIn(page, 'admin', server.adminPassword);
    await expect(page.getByTestId('dashboard-page')).toBeVisible();
    await expect(page).toHaveURL(/\/$/);
    await userMenu(page, 'Profile');
    await expect(page).toHaveURL(/\/profile$/);
    await expect(page.getByTestId('profile-page')).toBeVisible();
    await expect(page.getByTestId('user-name')).toHaveText('Administrator');
    await expect(page.getByTestId('user-username')).toHaveText('@admin');
    await expect(page.getByTestId('user-role')).toHaveText('Super admin');
    await expect(page.getByTestId('user-permissions')).toContainText('View Users');
    await expect(page.getByTestId('user-permissions')).toContainText('System Administration');
    await snap(page, '04-home');
  });

  test('the session survives a reload (refresh token in sessionStorage only)', async ({ page, server }) => {
    await page.goto('/');
    await signIn(page, 'admin', server.adminPassword);
    await expect(page.getByTestId('dashboard-page')).toBeVisible();
    await page.goto('/profile');
    await expect(page.getByTestId('profile-page')).toBeVisible();
    const stored = await page.evaluate(() => ({ ...sessionStorage, local: localStorage.length }));
    expect(Object.keys(stored).sort()).toEqual(['clientele.refreshToken', 'local']);
    expect(stored.local).toBe(0);

    await page.reload();
    await expect(page.getByTestId('profile-page')).toBeVisible();
    await expect(page.getByTestId('user-username')).toHaveText('@admin');
  });

  test('logout returns to the login page and forgets the session', async ({ page, server }) => {
    await page.goto('/');
    await signIn(page, 'admin', server.adminPassword);
    await expect(page.getByTestId('dashboard-page')).toBeVisible();
    await page.goto('/clients');
    await userMenu(page, 'Sign out');
    await expect(page.getByTestId('login-page')).toBeVisible();
    // Signing out starts afresh: no way back to the page left.
    await expect(page).toHaveURL(/\/login$/);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.reload();
    await expect(page.getByTestId('login-page')).toBeVisible();
  });

  test('profile edit saves, and shows per-field errors for a bad email', async ({ page, server, request }) => {
    const operator = await server.createActiveOperator('Profile Tester', 'Profile-Pass-2026!', request);
    await page.goto('/profile');
    await signIn(page, operator.username, operator.password);
    await expect(page.getByTestId('profile-page')).toBeVisible();

    const form = page.getByTestId('profile-form');
    await form.getByLabel('Name').fill('Ada Lovelace');
    await form.getByLabel('Email').fill('ada.lovelace@example.com');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByTestId('modal-title')).toHaveText('Profile saved');
    await closeModal(page);
    await expect(page.getByTestId('user-name')).toHaveText('Ada Lovelace');
    await expect(page.getByTestId('user-email')).toHaveText('ada.lovelace@example.com');

    await form.getByLabel('Email').fill('not-an-email');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByTestId('modal-title')).toHaveText('Profile not saved');
    await expect(page.getByRole('dialog')).toContainText('must be a valid e-mail address');
    await snap(page, '05-profile-invalid-email-modal');
    await closeModal(page);
    await expect(page.getByTestId('field-error-email')).toHaveText('must be a valid e-mail address');
    await expect(form.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('user-email')).toHaveText('ada.lovelace@example.com');
    await snap(page, '06-profile-invalid-email');

    await form.getByLabel('Name').fill('');
    await form.getByLabel('Email').fill('ada.lovelace@example.com');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await closeModal(page);
    await expect(page.getByTestId('field-error-name')).toHaveText('must not be empty');
  });

  test('a 401 is answered by one refresh and a retry', async ({ page, server }) => {
    await page.goto('/profile');
    await signIn(page, 'admin', server.adminPassword);
    await expect(page.getByTestId('profile-page')).toBeVisible();

    // The next PUT /auth/me is answered 401 as if the access token had expired.
    let intercepted = 0;
    await page.route('**/auth/me', async (route) => {
      if (route.request().method() === 'PUT' && intercepted === 0) {
        intercepted += 1;
        await route.fulfill({ status: 401, json: { error: 'Token expired' } });
      } else {
        await route.fallback();
      }
    });
    const refreshed = page.waitForResponse((r) => r.url().endsWith('/auth/refresh') && r.status() === 200);
    const form = page.getByTestId('profile-form');
    await form.getByLabel('Name').fill('Administrator');
    await form.getByLabel('Email').fill('admin@example.com');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await refreshed;
    await expect(page.getByTestId('modal-title')).toHaveText('Profile saved');
    expect(intercepted).toBe(1);
    await closeModal(page);
    await expect(page.getByTestId('user-email')).toHaveText('admin@example.com');
  });

  test('a failed refresh sends the user back to the login page', async ({ page, server }) => {
    await page.goto('/profile');
    await signIn(page, 'admin', server.adminPassword);
    await expect(page.getByTestId('profile-page')).toBeVisible();
    await page.route('**/auth/me', (route) => route.fulfill({ status: 401, json: { error: 'Token expired' } }));
    await page.route('**/auth/refresh', (route) => route.fulfill({ status: 401, json: { error: 'Invalid' } }));

    await page.getByTestId('profile-form').getByLabel('Name').fill('Someone Else');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByTestId('login-page')).toBeVisible();
    await expect(page.getByTestId('modal-title')).toHaveText('Session ended');
    await snap(page, '08-session-ended');
    // Only the one notice: the failed save is not reported a second time.
    await closeModal(page);
    await expect(page.getByTestId('login-page')).toBeVisible();
  });
});

test('forced password change on first login, then home', async ({ page, server }) => {
  const operator = await server.createOperator('Grace Hopper');
  await page.goto('/');
  await signIn(page, operator.username, operator.password);

  await expect(page.getByTestId('change-password-page')).toBeVisible();
  await expect(page).toHaveURL(/\/change-password$/);
  await snap(page, '07-change-password');

  const form = page.getByTestId('change-password-form');
  await form.getByLabel('Current password').fill(operator.password);
  await form.getByLabel('New password', { exact: true }).fill('Mismatch-Pass-1');
  await form.getByLabel('Confirm new password').fill('Mismatch-Pass-2');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByTestId('field-error-confirmPassword')).toHaveText('does not match the new password');

  // Length is counted in characters, as the API counts it: eight UTF-16 units
  // but four characters is too short, and is refused before anything is sent.
  await form.getByLabel('New password', { exact: true }).fill('🔑🔒🔑🔒');
  await form.getByLabel('Confirm new password').fill('🔑🔒🔑🔒');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByTestId('field-error-newPassword')).toHaveText('must be at least 8 characters long');

  // The server refuses a common password; its message shows on the field.
  await form.getByLabel('New password', { exact: true }).fill('password');
  await form.getByLabel('Confirm new password').fill('password');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByTestId('modal-title')).toHaveText('Password not changed');
  await closeModal(page);
  await expect(page.getByTestId('field-error-newPassword')).toContainText('common');

  const newPassword = 'Grace-Compiler-1952';
  await form.getByLabel('New password', { exact: true }).fill(newPassword);
  await form.getByLabel('Confirm new password').fill(newPassword);
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByTestId('modal-title')).toHaveText('Password changed');
  await expect(page.getByTestId('modal-message')).toHaveText(
    'Every other session of yours has been signed out; this one stays open.',
  );
  await closeModal(page);
  await expect(page.getByTestId('dashboard-page')).toBeVisible();
  await expect(page.getByTestId('user-menu')).toContainText('Grace Hopper');

  // Next time straight to the dashboard with the new password.
  await userMenu(page, 'Sign out');
  await expect(page.getByTestId('login-page')).toBeVisible();
  await signIn(page, operator.username, newPassword);
  await expect(page.getByTestId('dashboard-page')).toBeVisible();
});

test('on an IP address the SPA calls the API on its own origin', async ({ page, server }) => {
  await page.goto(`${server.ipBaseUrl}/`);
  await expect(page.locator('html')).toHaveAttribute('data-api-base-url', server.ipBaseUrl);
  const request = page.waitForRequest((r) => r.url().includes('/api/auth/login'));
  await signIn(page, 'admin', server.adminPassword);
  expect((await request).url()).toBe(`${server.ipBaseUrl}/api/auth/login`);
  await expect(page.getByTestId('dashboard-page')).toBeVisible();
});

test('unknown paths serve the SPA, which shows the login page', async ({ page }) => {
  await page.goto('/some/deep/link');
  await expect(page.getByTestId('login-page')).toBeVisible();
});
