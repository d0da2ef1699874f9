import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';
import { ADMIN_PASSWORD, CLIENTELE_BIN, RESULTS_DIR } from './paths';

const run = promisify(execFile);

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite through global-setup.ts`);
  return value;
}

export interface Operator {
  username: string;
  name: string;
  email: string;
  password: string;
}

/** Things about the running server every test may need. */
export interface Server {
  /** http://localhost:PORT — the SPA calls the API at http://api.localhost:PORT. */
  baseUrl: string;
  /** http://127.0.0.1:PORT — the SPA calls the API on its own origin. */
  ipBaseUrl: string;
  adminPassword: string;
  /**
   * `clientele admin create` against the server's data directory: a super admin
   * with a generated password it must change at first login.
   */
  createOperator(name: string): Promise<Operator>;
  /** A new operator whose password has already been changed to `password`. */
  createActiveOperator(name: string, password: string, request: APIRequestContext): Promise<Operator>;
}

let sequence = 0;

export const test = base.extend<{ server: Server }>({
  baseURL: async ({}, use) => {
    await use(required('E2E_BASE_URL'));
  },
  server: async ({}, use) => {
    const baseUrl = required('E2E_BASE_URL');
    const ipBaseUrl = required('E2E_IP_BASE_URL');
    const dataDir = required('E2E_DATA_DIR');

    const createOperator = async (name: string): Promise<Operator> => {
      sequence += 1;
      const local = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${Date.now().toString(36)}${sequence}`;
      const email = `${local}@example.com`;
      const env: NodeJS.ProcessEnv = { ...process.env, CLIENTELE_DATA_DIR: dataDir };
      delete env.CLIENTELE_DATABASE_URL;
      delete env.CLIENTELE_NEW_ADMIN_PASSWORD;
      const { stdout } = await run(CLIENTELE_BIN, ['admin', 'create', '--email', email, '--name', name], { env });
      const password = /^password: (\S+)/m.exec(stdout)?.[1];
      const username = /^created \S+ (\S+)/m.exec(stdout)?.[1];
      if (!password || !username) throw new Error(`unexpected output of clientele admin create:\n${stdout}`);
      return { username, name, email, password };
    };

    const createActiveOperator = async (name: string, password: string, request: APIRequestContext) => {
      const operator = await createOperator(name);
      const login = await request.post(`${ipBaseUrl}/api/auth/login`, {
        data: { username: operator.username, password: operator.password },
      });
      expect(login.status()).toBe(200);
      const { accessToken } = (await login.json()) as { accessToken: string };
      const change = await request.post(`${ipBaseUrl}/api/auth/change-password`, {
        headers: { Authorization: `Bearer ${accessToken}` },
        data: { currentPassword: operator.password, newPassword: password },
      });
      expect(change.status()).toBe(200);
      return { ...operator, password };
    };

    await use({ baseUrl, ipBaseUrl, adminPassword: ADMIN_PASSWORD, createOperator, createActiveOperator });
  },
});

export { expect };

/** Save a screenshot under tests/e2e/results/. */
export async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(RESULTS_DIR, `${name}.png`), fullPage: true });
}

export const WIDE = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Axe-core on the page as it is: no serious or critical violation (WCAG 2.1 A and AA). */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`);
  expect(report, `axe on ${name} at ${page.viewportSize()?.width ?? '?'} px`).toEqual([]);
}

/**
 * A screen checked as a user would meet it: axe and a screenshot at 1280 px,
 * then at 390 px (once `ready` holds at that width), then back to 1280 px.
 * Screenshots: tests/e2e/results/screens/<name>-<width>.png.
 */
export async function auditScreen(page: Page, name: string, ready?: () => Promise<void>): Promise<void> {
  for (const size of [WIDE, PHONE]) {
    await page.setViewportSize(size);
    await ready?.();
    // Let layout settle after the resize (charts measure their box).
    await page.waitForTimeout(150);
    // A full-page picture of a scrolled page draws the sticky header mid-page: start at the top.
    await page.evaluate(() => window.scrollTo(0, 0));
    await expectAccessible(page, name);
    await page.screenshot({ path: path.join(RESULTS_DIR, 'screens', `${name}-${size.width}.png`), fullPage: true });
  }
  await page.setViewportSize(WIDE);
}

/** Open the header's account menu and choose an item. */
export async function userMenu(page: Page, item: 'Profile' | 'Sign out'): Promise<void> {
  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem', { name: item }).click();
}

/** Fill the login form on the current tab and submit it. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The modal's OK button: read the modal, then dismiss it. */
export async function closeModal(page: Page): Promise<void> {
  await page.getByTestId('modal-close').click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
}
