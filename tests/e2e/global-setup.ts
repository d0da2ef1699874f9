import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ADMIN_PASSWORD, CLIENTELE_BIN, FRONTEND_DIST, RESULTS_DIR } from './paths';

/**
 * Starts the already built `clientele` binary (CLIENTELE_BIN, default
 * target/debug/clientele) serving the already built SPA (frontend/dist) on a free
 * port with a fresh data directory, and stops it when the run ends. Builds nothing.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(CLIENTELE_BIN)) {
    throw new Error(`clientele binary not found at ${CLIENTELE_BIN}: run \`cargo build\` (or set CLIENTELE_BIN)`);
  }
  if (!existsSync(path.join(FRONTEND_DIST, 'index.html'))) {
    throw new Error(`built SPA not found in ${FRONTEND_DIST}: run \`npm run build\` in frontend/`);
  }
  mkdirSync(RESULTS_DIR, { recursive: true });

  const dataDir = mkdtempSync(path.join(tmpdir(), 'clientele-e2e-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CLIENTELE_DATA_DIR: dataDir,
    CLIENTELE_BIND: `127.0.0.1:${port}`,
    CLIENTELE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    CLIENTELE_FRONTEND_DIR: FRONTEND_DIST,
    CLIENTELE_LOG_FORMAT: 'json',
  };
  // Always the embedded SQLite store in the temp dir, whatever the caller's shell has.
  delete env.CLIENTELE_DATABASE_URL;
  delete env.CLIENTELE_REDIS_URL;
  delete env.CLIENTELE_ADMIN_EMAIL;

  const logPath = path.join(RESULTS_DIR, 'server.log');
  const log = openSync(logPath, 'w');
  const server = spawn(CLIENTELE_BIN, ['serve'], { env, stdio: ['ignore', log, log] });
  closeSync(log);

  try {
    await waitUntilReady(`http://127.0.0.1:${port}/healthz`, server, 30_000);
  } catch (error) {
    server.kill('SIGKILL');
    const tail = readFileSync(logPath, 'utf8').split('\n').slice(-30).join('\n');
    throw new Error(`${(error as Error).message}\n--- server.log ---\n${tail}`);
  }

  // Read by the tests (workers inherit the environment set here).
  process.env.E2E_BASE_URL = `http://localhost:${port}`;
  process.env.E2E_IP_BASE_URL = `http://127.0.0.1:${port}`;
  process.env.E2E_DATA_DIR = dataDir;

  return async () => {
    await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => {
        resolve(port);
      });
    });
  });
}

async function waitUntilReady(url: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`clientele exited early with code ${server.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`clientele did not answer ${url} within ${timeoutMs} ms`);
}

async function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
