import path from 'node:path';

/** tests/e2e/ */
export const E2E_DIR = __dirname;
export const REPO_ROOT = path.resolve(E2E_DIR, '../..');
/** Screenshots, the server log and Playwright's artifacts (gitignored). */
export const RESULTS_DIR = path.join(E2E_DIR, 'results');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CLIENTELE_BIN = process.env.CLIENTELE_BIN ?? path.join(REPO_ROOT, 'target/debug/clientele');
export const FRONTEND_DIST = process.env.CLIENTELE_FRONTEND_DIR ?? path.join(REPO_ROOT, 'frontend/dist');
export const ADMIN_PASSWORD = 'Adm1n-Passw0rd!x';
