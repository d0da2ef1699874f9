// The Dockerfile and .dockerignore, checked without a container engine (issue 29):
// the stages, what the final image holds, its user and health check (run for
// real with bash against a stand-in server), and what the build context leaves out.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ROOT,
  composeRaw,
  dockerignorePatterns,
  dockerignored,
  envPairs,
  parseCopy,
  parseDockerfile,
  resolveArgs,
} from './lib.mjs';

const { global, stages } = parseDockerfile();
const stage = (name) => stages.find((s) => s.name === name);
const ops = (s, op) => s.instructions.filter((i) => i.op === op);
const runtime = stages.at(-1);
const runtimeEnv = new Map(ops(runtime, 'ENV').flatMap((i) => envPairs(i.args)));

describe('Dockerfile: the stages', () => {
  test('the SPA is built in a Node 20 stage with npm ci and npm run build', () => {
    const spa = stage('spa');
    assert.ok(spa, 'a stage named spa');
    assert.match(resolveArgs(spa.from, global), /^node:20(\.|-|$)/);
    const runs = ops(spa, 'RUN').map((i) => i.args).join('\n');
    assert.match(runs, /\bnpm ci\b/);
    assert.match(runs, /\bnpm run build\b/);
    const copies = ops(spa, 'COPY').map((i) => parseCopy(i.args));
    assert.ok(copies.some((c) => c.sources.includes('frontend/package-lock.json')), 'the lock file first, for the layer cache');
  });

  test('the binary is built in a Rust stage, release, with .cargo/config.toml', () => {
    const bin = stage('binary');
    assert.ok(bin, 'a stage named binary');
    assert.match(resolveArgs(bin.from, global), /^rust:\d+\.\d+-bookworm$/);
    const runs = ops(bin, 'RUN').map((i) => i.args).join('\n');
    assert.match(runs, /cargo build --release --locked -p clientele\b/);
    const sources = ops(bin, 'COPY').flatMap((i) => parseCopy(i.args).sources);
    for (const needed of ['Cargo.toml', 'Cargo.lock', '.cargo/', 'backend/', 'migrations/']) {
      assert.ok(sources.includes(needed), `COPY ${needed}`);
    }
  });

  test('the final stage is the runtime: Debian slim, only the binary and the SPA\'s files', () => {
    assert.equal(runtime.name, 'runtime');
    assert.equal(resolveArgs(runtime.from, global), 'debian:bookworm-slim');
    const copies = ops(runtime, 'COPY').map((i) => parseCopy(i.args));
    assert.deepEqual(
      copies.map((c) => [c.flags.from, c.sources.join(' ')]),
      [
        ['binary', '/usr/local/bin/clientele'],
        ['spa', '/src/frontend/dist/'],
      ],
    );
    assert.equal(ops(runtime, 'ADD').length, 0);
    const spaDir = copies[1].dest.replace(/\/$/, '');
    assert.equal(runtimeEnv.get('CLIENTELE_FRONTEND_DIR'), spaDir, 'CLIENTELE_FRONTEND_DIR is the SPA\'s folder');
    assert.equal(runtimeEnv.get('CLIENTELE_BIND'), '0.0.0.0:8080');
    assert.deepEqual(ops(runtime, 'EXPOSE').map((i) => i.args), ['8080']);
    const entry = JSON.parse(ops(runtime, 'ENTRYPOINT')[0].args);
    assert.equal(entry[0], copies[0].dest);
    assert.deepEqual(JSON.parse(ops(runtime, 'CMD')[0].args), ['serve']);
  });

  test('the final stage runs as an unprivileged user', () => {
    const users = ops(runtime, 'USER').map((i) => i.args);
    assert.equal(users.length, 1, 'one USER');
    const [user, group = user] = users[0].split(':');
    for (const id of [user, group]) {
      assert.ok(!['root', '0'].includes(id), `USER ${users[0]} is root`);
    }
    // After the USER line nothing runs as root again.
    const at = runtime.instructions.findIndex((i) => i.op === 'USER');
    assert.ok(runtime.instructions.slice(at).every((i) => i.op !== 'RUN'), 'no RUN after USER');
    // The data folder belongs to that user.
    const runs = ops(runtime, 'RUN').map((i) => i.args).join('\n');
    assert.match(runs, new RegExp(`--uid ${user}\\b`));
    assert.match(runs, new RegExp(`install -d -o clientele -g clientele [^\\n]*${runtimeEnv.get('CLIENTELE_DATA_DIR')}`));
  });

  test('the final stage has a HEALTHCHECK on /readyz', () => {
    const hc = ops(runtime, 'HEALTHCHECK');
    assert.equal(hc.length, 1);
    assert.match(hc[0].args, /--interval=\S+ --timeout=\S+/);
    assert.match(hc[0].args, /\/readyz/);
  });
});

// The health checks, run for real: the Dockerfile's and the compose file's
// commands, given to bash against a stand-in answering /readyz.
describe('the health checks work', () => {
  let server;
  let port;
  let status = 200;
  before(async () => {
    server = http.createServer((req, res) => {
      res.writeHead(req.url === '/readyz' ? status : 404, { 'content-type': 'application/json' });
      res.end('{"status":"ready"}');
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = server.address().port;
  });
  after(() => server.close());

  // Asynchronously: the stand-in answers from this very process.
  const run = (cmd, env = {}) =>
    new Promise((resolve) => {
      const child = spawn(cmd[0], cmd.slice(1), { env: { PATH: process.env.PATH, ...env }, stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });

  test('the Dockerfile\'s: 0 on 200, else not', async () => {
    const args = ops(runtime, 'HEALTHCHECK')[0].args;
    const cmd = JSON.parse(args.slice(args.indexOf('CMD') + 3).trim());
    assert.equal(cmd[0], 'bash', 'exec form, bash');
    status = 200;
    assert.equal(await run(cmd, { CLIENTELE_BIND: `0.0.0.0:${port}` }), 0);
    status = 503;
    assert.notEqual(await run(cmd, { CLIENTELE_BIND: `0.0.0.0:${port}` }), 0);
    status = 200;
    assert.notEqual(await run(cmd, { CLIENTELE_BIND: `0.0.0.0:${await freePort()}` }), 0, 'nothing listening');
  });

  test('docker-compose.yml\'s, for the instances: 0 on 200, else not', async () => {
    const check = composeRaw().services.api1.healthcheck.test;
    assert.equal(check[0], 'CMD');
    assert.ok(check[3].includes('/dev/tcp/127.0.0.1/8080'), 'the port of CLIENTELE_BIND');
    const cmd = [check[1], check[2], check[3].replace('/dev/tcp/127.0.0.1/8080', `/dev/tcp/127.0.0.1/${port}`)];
    status = 200;
    assert.equal(await run(cmd), 0);
    status = 503;
    assert.notEqual(await run(cmd), 0);
    status = 200;
  });
});

async function freePort() {
  const s = http.createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('.dockerignore', () => {
  const patterns = dockerignorePatterns();

  test('leaves out build output, packages, data and secrets', () => {
    for (const p of [
      'target/release/clientele',
      'frontend/node_modules/react/index.js',
      'frontend/dist/index.html',
      'tests/lint/node_modules/x',
      'data/clientele.db',
      'backend/clientele.db',
      '.env',
      'frontend/.env.local',
      '.git/HEAD',
      'docs/benchmarks.md',
    ]) {
      assert.ok(dockerignored(patterns, p), `${p} reaches the build context`);
    }
  });

  test('keeps everything the Dockerfile copies from the context', () => {
    const sources = stages.flatMap((s) =>
      ops(s, 'COPY')
        .map((i) => parseCopy(i.args))
        .filter((c) => !c.flags.from)
        .flatMap((c) => c.sources),
    );
    assert.ok(sources.length >= 6);
    for (const source of sources) {
      const relative = source.replace(/\/$/, '');
      assert.ok(existsSync(path.join(ROOT, relative)), `${source} exists`);
      assert.ok(!dockerignored(patterns, relative), `${source} is left out of the build context`);
    }
    for (const p of ['backend/src/main.rs', '.cargo/config.toml', 'migrations/postgres', 'frontend/src/main.tsx']) {
      assert.ok(!dockerignored(patterns, p), `${p} is left out`);
    }
  });

  test('the matcher itself: last match wins, ! lets back in', () => {
    assert.equal(dockerignored(['*', '!a/', 'a/b'], 'a/c'), false);
    assert.equal(dockerignored(['*', '!a/', 'a/b'], 'a/b/c'), true);
    assert.equal(dockerignored(['**/x'], 'p/q/x'), true);
    assert.equal(dockerignored(['**/x'], 'x'), true);
    assert.equal(dockerignored(['x'], 'y'), false);
  });
});
