import { Api } from './api';
import { auditScreen, expect, signIn, test } from './fixtures';

/** The figures the dashboard shows are the ones the API's own lists count. */
test('the dashboard’s figures match what was created', async ({ page, server, request }) => {
  const api = await Api.login(request, server.ipBaseUrl, 'admin', server.adminPassword);
  const tag = `Dash${Date.now().toString(36)}`;
  const { client: kept } = await api.createClient({ companyName: `${tag} Kept`, contactEmail: 'kept@example.com' });
  const { client: dropped } = await api.createClient({ companyName: `${tag} Dropped`, contactEmail: 'dropped@example.com' });
  await api.send('POST', `/api/clients/${dropped.id}/toggle-status`, undefined, 200);
  // A failed login, to be counted as one.
  const wrong = await request.post(`${server.ipBaseUrl}/api/auth/login`, {
    data: { username: 'admin', password: 'not-the-password' },
  });
  expect(wrong.status()).toBe(401);

  await page.goto('/');
  await signIn(page, 'admin', server.adminPassword);
  await expect(page.getByTestId('dashboard-page')).toBeVisible();

  // What the lists say, counted independently of /api/stats.
  const todayUtc = `${new Date().toISOString().slice(0, 10)}T00:00:00Z`;
  const expected = {
    'stat-active-clients': await api.count('/api/clients', { isActive: true }),
    'stat-inactive-clients': await api.count('/api/clients', { isActive: false }),
    'stat-users': await api.count('/api/users-management'),
    'stat-logins-today': await api.count('/api/activity', { action: 'login', from: todayUtc }),
    'stat-failed-logins-today': await api.count('/api/activity', { action: 'login_failed', from: todayUtc }),
  };
  expect(expected['stat-inactive-clients']).toBeGreaterThanOrEqual(1);
  expect(expected['stat-failed-logins-today']).toBeGreaterThanOrEqual(1);

  // The server counts at most every ten seconds: refresh until the figures are today's.
  await expect(async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect(page.getByRole('button', { name: 'Refresh' })).toBeEnabled();
    for (const [testId, value] of Object.entries(expected)) {
      await expect(page.getByTestId(`${testId}-value`), testId).toHaveText(String(value), { timeout: 500 });
    }
  }).toPass({ timeout: 25_000, intervals: [1_000, 2_000, 3_000] });

  // The charts' figures, as their tables give them: every client is new this week
  // (the database is fresh), and today's logins are the card's.
  const clients = expected['stat-active-clients'] + expected['stat-inactive-clients'];
  const weeks = page.getByTestId('chart-new-clients');
  await weeks.getByText('Show the figures').click();
  const weekCounts = await weeks.locator('tbody tr td.numeric').allTextContents();
  expect(weekCounts).toHaveLength(12);
  expect(Number(weekCounts.at(-1))).toBe(clients);
  const days = page.getByTestId('chart-logins');
  await days.getByText('Show the figures').click();
  const today = days.locator('tbody tr').last().locator('td.numeric');
  await expect(days.locator('tbody tr')).toHaveCount(30);
  await expect(today.nth(0)).toHaveText(String(expected['stat-logins-today']));
  await expect(today.nth(1)).toHaveText(String(expected['stat-failed-logins-today']));
  await weeks.getByText('Show the figures').click();
  await days.getByText('Show the figures').click();

  // The latest activity links to its targets.
  const recent = page.getByTestId('recent-activity');
  await expect(recent.getByTestId('activity-entry').first()).toContainText('admin signed in');
  await auditScreen(page, '05-dashboard', async () => {
    await expect(page.locator('.recharts-surface').first()).toBeVisible();
  });
  await recent.getByRole('link', { name: new RegExp(`${dropped.accountNumber} ${tag} Dropped`) }).first().click();
  await expect(page).toHaveURL(new RegExp(`/clients/${dropped.id}/details$`));

  // A card leads to its list.
  await page.goto('/');
  await page.getByTestId('stat-inactive-clients').getByRole('link').click();
  await expect(page).toHaveURL(/\/clients\?status=inactive$/);
  await expect(page.getByTestId('clients-table')).toContainText(`${tag} Dropped`);
  await expect(page.getByTestId('clients-table')).not.toContainText(`${tag} Kept`);
  expect(kept.isActive).toBe(true);
});
