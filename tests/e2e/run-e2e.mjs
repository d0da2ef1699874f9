#!/usr/bin/env node
// Runs the Playwright suite in Debian's Chromium (never a downloaded browser).
//
//   node tests/e2e/run-e2e.mjs [playwright test args…]   (or `npm run e2e` in frontend/)
//
// Needs: `npm ci` in frontend/ (it holds @playwright/test), the SPA built into
// frontend/dist (`npm run build`), and the backend built (`cargo build`, or
// CLIENTELE_BIN=/path/to/clientele). CHROMIUM_PATH overrides /usr/bin/chromium.
// Without Chromium: outside CI the suite is skipped (exit 0); with CI=true it
// is installed with apt-get, or the run fails.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const frontend = path.join(repo, 'frontend');
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ci = process.env.CI === 'true';

function banner(lines) {
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const bar = '*'.repeat(width);
  console.log([bar, ...lines.map((l) => `* ${l.padEnd(width - 4)} *`), bar].join('\n'));
}

if (!existsSync(chromium)) {
  if (!ci) {
    banner([
      `SKIPPED: Chromium not found at ${chromium}`,
      'The end-to-end suite did not run. Install it with:',
      '  sudo apt-get update && sudo apt-get install -y chromium',
    ]);
    process.exit(0);
  }
  console.log(`Chromium not found at ${chromium}; CI=true, installing it with apt-get…`);
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = asRoot ? [] : ['sudo', '-n'];
  const apt = (args) =>
    spawnSync(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), ...args], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status;
  if (apt(['update']) !== 0 || apt(['install', '-y', 'chromium']) !== 0 || !existsSync(chromium)) {
    console.error(`FAILED: could not install Chromium at ${chromium}`);
    process.exit(1);
  }
}

const cli = path.join(frontend, 'node_modules/@playwright/test/cli.js');
if (!existsSync(cli)) {
  console.error('FAILED: @playwright/test is not installed: run `npm ci` in frontend/');
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  [cli, 'test', '--config', path.join(here, 'playwright.config.ts'), ...process.argv.slice(2)],
  {
    cwd: here,
    stdio: 'inherit',
    env: {
      ...process.env,
      PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
      CHROMIUM_PATH: chromium,
      // Lets the suite's files resolve packages from frontend/node_modules.
      NODE_PATH: [path.join(frontend, 'node_modules'), process.env.NODE_PATH].filter(Boolean).join(path.delimiter),
    },
  },
);
if (result.error) {
  console.error(`FAILED: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
