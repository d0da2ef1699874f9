import { defineConfig } from '@playwright/test';
import path from 'node:path';
import { CHROMIUM_PATH, E2E_DIR, RESULTS_DIR } from './paths';

// Debian's Chromium, never a downloaded browser (run through run-e2e.mjs, which
// also sets PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
export default defineConfig({
  testDir: E2E_DIR,
  testMatch: '*.spec.ts',
  outputDir: path.join(RESULTS_DIR, 'artifacts'),
  globalSetup: './global-setup.ts',
  // One server, one SQLite file, two cores: run the tests one after another.
  workers: 1,
  fullyParallel: false,
  forbidOnly: process.env.CI === 'true',
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['./summary-reporter.ts']],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
