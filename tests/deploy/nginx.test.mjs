// deploy/nginx/clientele.conf.template (issue 29): its placeholders, its routes
// as written, and, where nginx is installed, the rendered file under `nginx -t`
// and nginx itself on loopback ports in front of two stand-in instances that
// answer with what they were sent. (The real instances behind the same file are
// the two-instance test's business.)
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, directive, directives, parseNginx, read, readmeSection } from './lib.mjs';

const TEMPLATE = 'deploy/nginx/clientele.conf.template';
const NAMES = [
  'CLIENTELE_UPSTREAM_1',
  'CLIENTELE_UPSTREAM_2',
  'CLIENTELE_PROXY_PORT',
  'CLIENTELE_APP_HOST',
  'CLIENTELE_SPA_ROOT',
];
const CI = process.env.CI === 'true' || process.env.CI === '1';
const text = read(TEMPLATE);
const conf = parseNginx(text);
const servers = directives(conf, 'server');
const serverNamed = (name) => servers.find((s) => directive(s.block, 'server_name')?.args.includes(name));
const location = (server, ...args) =>
  directives(server.block, 'location').find((l) => JSON.stringify(l.args) === JSON.stringify(args));

const which = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const hasNginx = which('nginx');
const hasEnvsubst = which('envsubst');
// Outside CI a missing nginx skips its part (scripts/test.sh says so loudly);
// under CI it is a failure: the script installs it.
const needs = (ok, tool) => (ok ? {} : CI ? {} : { skip: `${tool} is not installed` });

function render(vars) {
  return spawnSync(path.join(ROOT, 'deploy/nginx/render.sh'), [], {
    env: { PATH: process.env.PATH, ...vars },
    encoding: 'utf8',
  });
}

describe('the template as written', () => {
  test('its placeholders are exactly the five documented names, each named in its header', () => {
    const found = new Set([...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]));
    assert.deepEqual([...found].sort(), [...NAMES].sort());
    const header = text.split('\n').filter((l) => l.startsWith('#')).join('\n');
    for (const n of NAMES) assert.match(header, new RegExp(`\\$\\{${n}\\}\\s+\\S`), `${n} is described`);
  });

  test('render.sh substitutes those five and no other', () => {
    const script = read('deploy/nginx/render.sh');
    const list = /names=\(([^)]*)\)/.exec(script)[1].trim().split(/\s+/);
    assert.deepEqual(list, NAMES);
  });

  test('the upstream: both instances, kept-alive connections', () => {
    const up = directive(conf, 'upstream');
    const members = directives(up.block, 'server').map((d) => d.args[0]);
    assert.deepEqual(members, ['${CLIENTELE_UPSTREAM_1}', '${CLIENTELE_UPSTREAM_2}']);
    assert.ok(Number(directive(up.block, 'keepalive').args[0]) > 0);
    // Below the instances' keep-alive of 5 s (backend/src/startup.rs).
    const idle = /^(\d+)s$/.exec(directive(up.block, 'keepalive_timeout').args[0]);
    assert.ok(idle && Number(idle[1]) < 5);
  });

  const proxied = (server) => {
    const b = server.block;
    const headers = Object.fromEntries(directives(b, 'proxy_set_header').map((d) => [d.args[0], d.args[1]]));
    assert.equal(directive(b, 'proxy_http_version').args[0], '1.1');
    assert.equal(headers.Connection, '');
    assert.equal(headers.Host, '$host$clientele_port_suffix');
    assert.equal(headers['X-Forwarded-For'], '$proxy_add_x_forwarded_for');
    assert.equal(headers['X-Real-IP'], '$remote_addr');
    assert.equal(headers['X-Forwarded-Proto'], '$scheme');
    assert.equal(headers.Forwarded, '', 'a client\'s Forwarded header is dropped');
    const next = directive(b, 'proxy_next_upstream').args;
    assert.deepEqual(next, ['error', 'timeout', 'http_502']);
    assert.ok(!next.includes('non_idempotent'), 'a POST is never sent twice');
    assert.equal(directive(b, 'proxy_next_upstream_tries').args[0], '2');
    // Above the largest body the app takes: a 1 MiB CSV import (and 64 KiB JSON).
    const m = /^(\d+)([km])$/.exec(directive(b, 'client_max_body_size').args[0]);
    const bytes = Number(m[1]) * (m[2] === 'm' ? 1024 * 1024 : 1024);
    assert.ok(bytes > 1024 * 1024);
    assert.ok(directive(b, 'proxy_read_timeout'));
    assert.ok(directive(b, 'proxy_connect_timeout'));
  };

  test('api.<app host>: everything to the instances', () => {
    const api = serverNamed('api.${CLIENTELE_APP_HOST}');
    assert.ok(api);
    proxied(api);
    assert.equal(directive(location(api, '/').block, 'proxy_pass').args[0], 'http://clientele_instances');
  });

  test('<app host>: the SPA\'s files, /api and the health checks to the instances', () => {
    const app = serverNamed('${CLIENTELE_APP_HOST}');
    assert.ok(app);
    proxied(app);
    assert.equal(directive(app.block, 'root').args[0], '${CLIENTELE_SPA_ROOT}');
    for (const args of [['/api/'], ['=', '/api'], ['=', '/healthz'], ['=', '/readyz']]) {
      assert.equal(directive(location(app, ...args).block, 'proxy_pass').args[0], 'http://clientele_instances', args.join(' '));
    }
    assert.deepEqual(directive(location(app, '/').block, 'try_files').args, ['$uri', '/index.html']);
    const assets = location(app, '/assets/').block;
    assert.deepEqual(directive(assets, 'try_files').args, ['$uri', '=404']);
    const cache = directives(assets, 'add_header').find((d) => d.args[0] === 'Cache-Control');
    assert.match(cache.args[1], /max-age=31536000.*immutable/);
  });

  test('any other host: refused, but for the proxy\'s own health check', () => {
    const fallback = servers.find((s) => directive(s.block, 'listen').args.includes('default_server'));
    assert.deepEqual(directive(fallback.block, 'server_name').args, ['_']);
    assert.ok(location(fallback, '=', '/proxy-health'));
    assert.equal(directive(location(fallback, '/').block, 'return').args[0], '421');
  });
});

describe('the template rendered', { ...needs(hasEnvsubst, 'envsubst (gettext-base)') }, () => {
  const vars = {
    CLIENTELE_UPSTREAM_1: '127.0.0.1:18081',
    CLIENTELE_UPSTREAM_2: '127.0.0.1:18082',
    CLIENTELE_PROXY_PORT: '127.0.0.1:18080',
    CLIENTELE_APP_HOST: 'clientele.test',
    CLIENTELE_SPA_ROOT: '/srv/spa',
  };

  test('render.sh fills the five and leaves nginx\'s variables alone', () => {
    const out = render(vars);
    assert.equal(out.status, 0, out.stderr);
    assert.doesNotMatch(out.stdout, /\$\{/);
    for (const v of Object.values(vars)) assert.ok(out.stdout.includes(v), v);
    for (const v of ['$remote_addr', '$proxy_add_x_forwarded_for', '$host$clientele_port_suffix', '$scheme', '$uri', ':$clientele_port']) {
      assert.ok(out.stdout.includes(v), `${v} survived`);
    }
    // The same as the documented envsubst line.
    const line = spawnSync('envsubst', [NAMES.map((n) => `\${${n}}`).join(' ')], {
      input: text,
      env: { PATH: process.env.PATH, ...vars, remote_addr: 'oops', host: 'oops' },
      encoding: 'utf8',
    });
    assert.equal(line.stdout, out.stdout);
  });

  test('render.sh refuses a missing variable', () => {
    const out = render({ ...vars, CLIENTELE_SPA_ROOT: '' });
    assert.notEqual(out.status, 0);
    assert.match(out.stderr, /CLIENTELE_SPA_ROOT/);
  });
});

// nginx for real: deploy/README.md's recipe, step by step.
describe('nginx on loopback in front of two stand-in instances', { ...needs(hasNginx && hasEnvsubst, 'nginx') }, () => {
  let dir;
  let nginx;
  let port;
  const upstreams = [];
  const ports = [];
  const host = 'clientele.test';
  const nginxArgs = () => [
    '-p', `${dir}/`, '-c', `${dir}/nginx.conf`, '-e', `${dir}/error.log`,
    ...(process.getuid?.() === 0 ? ['-g', 'user root;'] : []),
  ];

  // A stand-in instance: answers what it was sent, as JSON; instance one answers
  // /flaky with 502.
  function standIn(name) {
    const seen = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url });
        const status = req.url.endsWith('/flaky') && name === 'one' ? 502 : 200;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ instance: name, method: req.method, url: req.url, headers: req.headers, body: body.length }));
      });
    });
    return { name, server, seen };
  }

  async function listen(server, p = 0) {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', resolve);
    });
    return server.address().port;
  }

  async function freePort() {
    const s = net.createServer();
    const p = await listen(s);
    await new Promise((resolve) => s.close(resolve));
    return p;
  }

  // One request through nginx: a fresh connection each time, Host as given.
  function request(hostHeader, urlPath, { method = 'GET', headers = {}, body } = {}) {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: urlPath, method, headers: { host: hostHeader, ...headers }, agent: false },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (c) => {
            data += c;
          });
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
  const json = (r) => JSON.parse(r.body);

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'clientele-nginx-'));
    const spa = path.join(dir, 'spa');
    mkdirSync(path.join(spa, 'assets'), { recursive: true });
    writeFileSync(path.join(spa, 'index.html'), '<!doctype html><title>Clientele</title>');
    writeFileSync(path.join(spa, 'assets', 'index-Ab12Cd34.js'), 'console.log("spa")');
    for (const name of ['one', 'two']) upstreams.push(standIn(name));
    for (const u of upstreams) ports.push(await listen(u.server));
    port = await freePort();
    const out = render({
      CLIENTELE_UPSTREAM_1: `127.0.0.1:${ports[0]}`,
      CLIENTELE_UPSTREAM_2: `127.0.0.1:${ports[1]}`,
      CLIENTELE_PROXY_PORT: `127.0.0.1:${port}`,
      CLIENTELE_APP_HOST: host,
      CLIENTELE_SPA_ROOT: spa,
    });
    assert.equal(out.status, 0, out.stderr);
    writeFileSync(path.join(dir, 'clientele.conf'), out.stdout);
    cpSync(path.join(ROOT, 'deploy/nginx/nginx-loopback.conf'), path.join(dir, 'nginx.conf'));
  });

  after(async () => {
    if (nginx && nginx.exitCode === null) {
      spawnSync('nginx', [...nginxArgs(), '-s', 'quit']);
      const exited = new Promise((resolve) => nginx.once('exit', resolve));
      // SIGTERM, not SIGKILL: a killed master leaves its worker serving.
      const timer = setTimeout(() => nginx.kill('SIGTERM'), 5000);
      await exited;
      clearTimeout(timer);
    }
    for (const u of upstreams) u.server.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('nginx -t accepts the rendered file inside the loopback wrapper', () => {
    const t = spawnSync('nginx', ['-t', ...nginxArgs()], { encoding: 'utf8' });
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stderr, /syntax is ok/);
    assert.doesNotMatch(t.stderr, /\[warn\]|\[emerg\]/, t.stderr);
  });

  test('nginx starts and listens', async () => {
    nginx = spawn('nginx', nginxArgs(), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    nginx.stderr.on('data', (c) => {
      stderr += c;
    });
    for (let i = 0; i < 100; i += 1) {
      const up = await new Promise((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => s.end(() => resolve(true)));
        s.on('error', () => resolve(false));
      });
      if (up) return;
      assert.equal(nginx.exitCode, null, `nginx exited: ${stderr}${readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail('nginx did not listen within 5 s');
  });

  test('app host: the SPA\'s page, its routes, and its assets', async () => {
    const page = await request(host, '/');
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'], /^text\/html/);
    assert.equal(page.body, '<!doctype html><title>Clientele</title>');
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['x-frame-options'], 'DENY');
    const route = await request(host, '/clients/12?tab=users');
    assert.equal(route.status, 200);
    assert.equal(route.body, page.body);
    const asset = await request(host, '/assets/index-Ab12Cd34.js');
    assert.equal(asset.status, 200);
    assert.match(asset.headers['content-type'], /javascript/);
    assert.match(asset.headers['cache-control'], /immutable/);
    const missing = await request(host, '/assets/index-gone.js');
    assert.equal(missing.status, 404, 'a missing asset is a 404, not the page');
  });

  test('app host: /api, /healthz and /readyz reach an instance with the client\'s address', async () => {
    const r = await request(`${host}:${port}`, '/api/auth/me?x=1', {
      headers: { 'x-forwarded-for': '203.0.113.9', forwarded: 'for=198.51.100.1', 'x-forwarded-host': 'evil.test' },
    });
    assert.equal(r.status, 200);
    const seen = json(r);
    assert.equal(seen.url, '/api/auth/me?x=1');
    assert.equal(seen.headers.host, `${host}:${port}`, 'Host as the browser sent it, port included');
    assert.equal(seen.headers['x-forwarded-host'], `${host}:${port}`);
    assert.equal(seen.headers['x-real-ip'], '127.0.0.1');
    assert.equal(seen.headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1', 'the peer appended, right-most');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers.forwarded, undefined);
    assert.equal(seen.headers.connection, undefined, 'keep-alive to the instances (no Connection: close)');
    for (const p of ['/api', '/healthz', '/readyz']) {
      const h = await request(host, p);
      assert.equal(json(h).url, p);
    }
    const metrics = await request(host, '/metrics');
    assert.equal(metrics.status, 404);
    assert.match(json(metrics).error, /each instance/);
  });

  test('api. host: every path reaches an instance as it is, on both instances', async () => {
    const names = new Set();
    for (let i = 0; i < 6; i += 1) {
      const r = await request(`api.${host}`, `/clients?limit=${i}`);
      assert.equal(r.status, 200);
      const seen = json(r);
      assert.equal(seen.url, `/clients?limit=${i}`, 'the app adds /api itself');
      assert.equal(seen.headers.host, `api.${host}`);
      names.add(seen.instance);
    }
    assert.deepEqual([...names].sort(), ['one', 'two']);
  });

  test('another host is refused with JSON; the proxy\'s own check answers', async () => {
    const r = await request('evil.test', '/api/auth/me');
    assert.equal(r.status, 421);
    assert.match(r.headers['content-type'], /^application\/json/);
    assert.match(json(r).error, /clientele\.test/);
    const health = await request('127.0.0.1', '/proxy-health');
    assert.equal(health.status, 200);
  });

  test('a body over the proxy\'s ceiling: 413 with the API\'s JSON error', async () => {
    const r = await request(`api.${host}`, '/users-management/import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: 'x'.repeat(2 * 1024 * 1024 + 1),
    });
    assert.equal(r.status, 413);
    assert.match(r.headers['content-type'], /^application\/json/);
    assert.ok(json(r).error);
    const fits = await request(`api.${host}`, '/users-management/import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: 'x'.repeat(1024 * 1024),
    });
    assert.equal(json(fits).body, 1024 * 1024, 'a 1 MiB import passes');
  });

  test('one instance down: every request, POST too, is answered by the other', async () => {
    await new Promise((resolve) => {
      upstreams[0].server.closeAllConnections?.();
      upstreams[0].server.close(resolve);
    });
    for (let i = 0; i < 6; i += 1) {
      // POSTs first: the first request round robin gives to the closed instance
      // is refused at connect, never sent, so nginx passes it on even as a POST.
      const method = i < 2 ? 'POST' : 'GET';
      const r = await request(`api.${host}`, '/auth/login', {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'POST' ? '{}' : undefined,
      });
      assert.equal(r.status, 200, `${method} ${r.body}`);
      assert.equal(json(r).instance, 'two');
    }
    const log = readFileSync(path.join(dir, 'access.log'), 'utf8');
    const passedOn = `upstream=127.0.0.1:${ports[0]}, 127.0.0.1:${ports[1]} upstream_status=502, 200`;
    assert.ok(
      log.split('\n').some((l) => l.includes('"POST /auth/login') && l.includes(passedOn)),
      'a POST refused by instance one was answered by instance two',
    );
  });

  test('the instance back: it gets requests again within seconds', async () => {
    await listen(upstreams[0].server, ports[0]);
    upstreams[0].seen.length = 0;
    for (let i = 0; i < 40 && upstreams[0].seen.length === 0; i += 1) {
      await new Promise((r) => setTimeout(r, 250));
      assert.equal((await request(`api.${host}`, '/auth/me')).status, 200);
    }
    assert.ok(upstreams[0].seen.length > 0, 'instance one answers again');
  });

  test('an instance that answers 502: a GET is tried on the other, a POST is not', async () => {
    // Only instance one fails /flaky. GETs until round robin has given one to
    // instance one: each is answered by instance two all the same.
    for (const u of upstreams) u.seen.length = 0;
    for (let i = 0; i < 40 && upstreams[0].seen.length === 0; i += 1) {
      if (i) await new Promise((r) => setTimeout(r, 250));
      const get = await request(`api.${host}`, '/flaky');
      assert.equal(get.status, 200);
      assert.equal(json(get).instance, 'two');
    }
    assert.deepEqual(upstreams[0].seen.map((s) => s.method), ['GET'], 'one GET was tried on instance one, then on two');
    // Instance one now counts as failed for fail_timeout (3 s, counted in whole
    // seconds by nginx: up to 4 s), then gets its share back gradually. POSTs,
    // a quarter of a second apart, until one meets it.
    for (const u of upstreams) u.seen.length = 0;
    const posts = [];
    while (posts.length < 40 && !posts.some((p) => p.status === 502)) {
      await new Promise((r) => setTimeout(r, 250));
      posts.push(await request(`api.${host}`, '/flaky', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
    }
    const failed = posts.filter((p) => p.status === 502);
    assert.equal(failed.length, 1, 'a POST met instance one');
    assert.equal(json(failed[0]).instance, 'one', 'and got instance one\'s own answer');
    assert.equal(upstreams[0].seen.length, 1);
    assert.equal(
      upstreams[0].seen.length + upstreams[1].seen.length,
      posts.length,
      'no POST was passed on to a second instance',
    );
  });

  test('both down: 502 with the API\'s JSON error', async () => {
    for (const u of upstreams) {
      await new Promise((resolve) => {
        u.server.closeAllConnections?.();
        u.server.close(resolve);
      });
    }
    const r = await request(`api.${host}`, '/auth/me');
    assert.equal(r.status, 502);
    assert.match(r.headers['content-type'], /^application\/json/);
    assert.match(json(r).error, /No instance/);
  });
});

describe('deploy/README.md documents the recipe the test follows', () => {
  test('the render line, the wrapper and the nginx command', () => {
    const doc = read('deploy/README.md');
    assert.match(doc, /render\.sh/);
    assert.match(doc, /nginx-loopback\.conf/);
    assert.match(doc, /nginx -p "\$dir\/" -c "\$dir\/nginx\.conf" -e "\$dir\/error\.log"/);
    assert.match(doc, /-g 'user root;'/);
    // And README points at it.
    assert.ok(readmeSection('Production').join('\n').includes('deploy/README.md'));
  });
});
