// docker-compose.yml, checked without a container engine (issue 29): valid
// against the Compose Specification's JSON schema, and of the shape README's
// "Production" describes; .env.example and README's settings table agree with it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import Ajv from 'ajv';
import {
  HERE,
  ROOT,
  RequiredVariableError,
  composeRaw,
  composeVariables,
  composeWith,
  envPairs,
  parseDockerfile,
  parseEnvFile,
  parseNginx,
  read,
  readmeTableNames,
  resolveArgs,
} from './lib.mjs';

// The schema: compose-spec's schema/compose-spec.json as shipped by the npm
// package dclint 3.1.0 (schemas/compose.schema.json), the same document as
// the compose-spec repository's at commit 58a2548c (2025-07-21). The two later
// upstream changes (2025-09, 2025-10) add build.provenance, build.sbom and
// develop.watch[].initial_sync, none of which this file uses.
const SCHEMA_PACKAGE = 'dclint';
const SCHEMA_VERSION = '3.1.0';
const SCHEMA_FILE = 'schemas/compose.schema.json';
const SCHEMA_SHA256 = '46b7d35f19dd93a05f8fea530291bf84d881c1791ec167ecf0e6fb94e639d496';

const TEMPLATE = 'deploy/nginx/clientele.conf.template';
const TEMPLATE_NAMES = [
  'CLIENTELE_UPSTREAM_1',
  'CLIENTELE_UPSTREAM_2',
  'CLIENTELE_PROXY_PORT',
  'CLIENTELE_APP_HOST',
  'CLIENTELE_SPA_ROOT',
];
// Variables without a default: compose must refuse to start without them.
const REQUIRED = ['POSTGRES_PASSWORD', 'CLIENTELE_JWT_SECRET', 'CLIENTELE_APP_HOST'];

const composeText = process.env.DEPLOY_COMPOSE_FILE
  ? readFileSync(process.env.DEPLOY_COMPOSE_FILE, 'utf8')
  : read('docker-compose.yml');
const example = parseEnvFile(read('.env.example'));
// .env.example as an operator fills it in.
const filled = new Map(example);
filled.set('POSTGRES_PASSWORD', 'a1b2c3d4e5f6a1b2c3d4e5f6');
filled.set('CLIENTELE_JWT_SECRET', 'x'.repeat(48));
filled.set('CLIENTELE_APP_HOST', 'clientele.example.com');
const { doc: compose, seen } = composeWith(filled, composeText);
const services = compose.services ?? {};

function loadSchema() {
  const dir = path.join(HERE, 'node_modules', SCHEMA_PACKAGE);
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  assert.equal(pkg.version, SCHEMA_VERSION, `${SCHEMA_PACKAGE} must be ${SCHEMA_VERSION}: run npm ci here`);
  const bytes = readFileSync(path.join(dir, SCHEMA_FILE));
  const sha = createHash('sha256').update(bytes).digest('hex');
  assert.equal(sha, SCHEMA_SHA256, 'the pinned Compose schema changed');
  const schema = JSON.parse(bytes);
  // Ajv knows draft-07 as http://json-schema.org/draft-07/schema#; the file
  // names it with https and no fragment. The same draft: point Ajv at its copy.
  assert.match(schema.$schema, /json-schema\.org\/draft-07\/schema#?$/);
  schema.$schema = 'http://json-schema.org/draft-07/schema#';
  return schema;
}

function schemaErrors(document) {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(loadSchema());
  if (validate(document)) return [];
  return validate.errors.map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

const hasHealthcheck = (name) => {
  const hc = services[name]?.healthcheck;
  return Boolean(hc && !hc.disable && Array.isArray(hc.test) && hc.test.length > 1 && hc.test[0] !== 'NONE');
};

const seconds = (duration) => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(String(duration));
  assert.ok(m, `not a duration: ${duration}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
};

describe('docker-compose.yml against the Compose Specification', () => {
  test('is valid as written (variables not yet substituted)', () => {
    assert.deepEqual(schemaErrors(composeRaw(composeText)), []);
  });

  test('is valid with .env.example filled in', () => {
    assert.deepEqual(schemaErrors(compose), []);
  });

  test('the schema rejects what it should (a misspelt key, a wrong type)', () => {
    const broken = structuredClone(compose);
    broken.services.api1.healthckeck = broken.services.api1.healthcheck;
    broken.services.redis.restart = ['always'];
    const errors = schemaErrors(broken);
    assert.ok(errors.some((e) => e.includes('healthckeck')), errors.join('\n'));
    assert.ok(errors.some((e) => e.includes('/services/redis/restart')), errors.join('\n'));
  });

  for (const name of REQUIRED) {
    test(`refuses to start without ${name} (no default secret or host)`, () => {
      assert.equal(example.get(name), '', `.env.example must leave ${name} empty`);
      const missing = new Map(filled);
      missing.set(name, '');
      assert.throws(
        () => composeWith(missing, composeText),
        (e) => e instanceof RequiredVariableError && e.variable === name,
      );
    });
  }
});

describe('docker-compose.yml: the shape', () => {
  test('services: postgres, redis, api1, api2 and proxy, each with a health check', () => {
    assert.deepEqual(Object.keys(services).sort(), ['api1', 'api2', 'postgres', 'proxy', 'redis']);
    for (const name of Object.keys(services)) assert.ok(hasHealthcheck(name), `${name} has no health check`);
    for (const [name, s] of Object.entries(services)) {
      assert.equal(s.restart, 'unless-stopped', `${name} restarts`);
    }
  });

  test('PostgreSQL 15 on a named volume, checked with pg_isready over TCP', () => {
    const pg = services.postgres;
    assert.match(pg.image, /^postgres:15(\.|-|$)/);
    const [volume, target] = pg.volumes[0].split(':');
    assert.equal(target, '/var/lib/postgresql/data');
    assert.ok(volume in (compose.volumes ?? {}), `the volume ${volume} is declared`);
    assert.equal(pg.healthcheck.test[1], 'pg_isready');
    assert.ok(pg.healthcheck.test.includes('127.0.0.1'), 'pg_isready over TCP, not the socket');
    assert.equal(pg.environment.POSTGRES_PASSWORD, filled.get('POSTGRES_PASSWORD'));
  });

  test('Redis 7, without persistence, noeviction', () => {
    const r = services.redis;
    assert.match(r.image, /^redis:7(\.|-|$)/);
    const cmd = r.command.join(' ');
    assert.match(cmd, /--maxmemory-policy noeviction/);
    assert.match(r.healthcheck.test.join(' '), /redis-cli ping/);
  });

  test('two instances built from the Dockerfile, with the same settings', () => {
    const [a, b] = [services.api1, services.api2];
    for (const s of [a, b]) {
      assert.equal(s.build.context, '.');
      assert.equal(s.build.dockerfile, 'Dockerfile');
      const { stages } = parseDockerfile();
      assert.equal(s.build.target, stages.at(-1).name, 'the Dockerfile\'s last stage, its default');
      assert.equal(s.depends_on.postgres.condition, 'service_healthy');
      assert.equal(s.depends_on.redis.condition, 'service_healthy');
      assert.match(s.healthcheck.test.join(' '), /GET \/readyz /);
    }
    assert.deepEqual(a.environment, b.environment);
    assert.deepEqual({ ...a, networks: null }, { ...b, networks: null });
  });

  test('the instances\' settings: database, Redis, secret, bind address, JSON logs', () => {
    const env = services.api1.environment;
    assert.equal(
      env.CLIENTELE_DATABASE_URL,
      `postgres://clientele:${filled.get('POSTGRES_PASSWORD')}@postgres:5432/clientele`,
    );
    assert.equal(services.postgres.environment.POSTGRES_USER, 'clientele');
    assert.equal(services.postgres.environment.POSTGRES_DB, 'clientele');
    assert.equal(env.CLIENTELE_REDIS_URL, 'redis://redis:6379');
    assert.equal(env.CLIENTELE_JWT_SECRET, filled.get('CLIENTELE_JWT_SECRET'));
    assert.equal(env.CLIENTELE_BIND, '0.0.0.0:8080');
    assert.equal(env.CLIENTELE_LOG_FORMAT, 'json');
    // Another database or Redis, when .env names one.
    const other = new Map(filled);
    other.set('CLIENTELE_DATABASE_URL', 'postgres://app:pw@db.internal:5432/clientele');
    other.set('CLIENTELE_REDIS_URL', 'redis://cache.internal:6379/2');
    const { doc } = composeWith(other, composeText);
    assert.equal(doc.services.api2.environment.CLIENTELE_DATABASE_URL, 'postgres://app:pw@db.internal:5432/clientele');
    assert.equal(doc.services.api2.environment.CLIENTELE_REDIS_URL, 'redis://cache.internal:6379/2');
  });

  test('stop_grace_period leaves time for CLIENTELE_SHUTDOWN_GRACE', () => {
    const grace = Number(services.api1.environment.CLIENTELE_SHUTDOWN_GRACE);
    assert.ok(grace >= 1, 'CLIENTELE_SHUTDOWN_GRACE is set');
    const defaults = composeWith(new Map([...filled].filter(([k]) => k !== 'CLIENTELE_SHUTDOWN_GRACE')), composeText);
    const byDefault = Number(defaults.doc.services.api1.environment.CLIENTELE_SHUTDOWN_GRACE);
    assert.equal(byDefault, 10, 'README\'s default');
    for (const s of [services.api1, services.api2]) {
      assert.ok(seconds(s.stop_grace_period) >= Math.max(grace, byDefault) + 5, 'a margin of 5 s at least');
    }
  });

  test('fixed addresses: the proxy is the instances\' one trusted proxy, the upstreams are the instances', () => {
    const net = compose.networks.clientele;
    const { subnet, ip_range: range } = net.ipam.config[0];
    const inCidr = (ip, cidr) => {
      const [base, bits] = cidr.split('/');
      const n = (a) => a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
      const size = 2 ** (32 - Number(bits));
      return Math.floor(n(ip) / size) === Math.floor(n(base) / size);
    };
    const address = (name) => services[name].networks.clientele.ipv4_address;
    const all = Object.keys(services).map(address);
    assert.equal(new Set(all).size, all.length, 'distinct addresses');
    for (const ip of all) {
      assert.ok(inCidr(ip, subnet), `${ip} in ${subnet}`);
      assert.ok(!inCidr(ip, range), `${ip} outside the dynamic range ${range}`);
    }
    const env = services.api1.environment;
    assert.equal(env.CLIENTELE_TRUSTED_PROXIES, address('proxy'));
    const port = env.CLIENTELE_BIND.split(':').at(-1);
    assert.equal(services.proxy.environment.CLIENTELE_UPSTREAM_1, `${address('api1')}:${port}`);
    assert.equal(services.proxy.environment.CLIENTELE_UPSTREAM_2, `${address('api2')}:${port}`);
    // A front (TLS terminator) is trusted besides, never instead.
    const front = new Map(filled);
    front.set('CLIENTELE_FRONT_PROXIES', '192.0.2.0/24');
    const { doc } = composeWith(front, composeText);
    assert.equal(doc.services.api1.environment.CLIENTELE_TRUSTED_PROXIES, `${address('proxy')},192.0.2.0/24`);
  });

  test('the proxy: official nginx with the SPA, the shipped template mounted, routing both hosts', () => {
    const proxy = services.proxy;
    const { stages, global } = parseDockerfile();
    const stage = stages.find((s) => s.name === proxy.build.target);
    assert.ok(stage, `the Dockerfile has a stage ${proxy.build.target}`);
    assert.equal(proxy.build.context, '.');
    assert.match(resolveArgs(stage.from, global), /^nginx:\d/, 'the official nginx image, a pinned line');
    // The very file, mounted where the image renders templates from.
    const mounts = proxy.volumes.map((v) => v.split(':'));
    const template = mounts.find(([src]) => path.resolve(ROOT, src) === path.join(ROOT, TEMPLATE));
    assert.ok(template, `${TEMPLATE} is mounted`);
    assert.match(template[1], /^\/etc\/nginx\/templates\/[^/]+\.conf\.template$/);
    assert.equal(template[2], 'ro');
    // Exactly the template's variables, and a filter that lets them (only them) through.
    const names = Object.keys(proxy.environment).filter((k) => k.startsWith('CLIENTELE_'));
    assert.deepEqual(names.sort(), [...TEMPLATE_NAMES].sort());
    const filter = new RegExp(proxy.environment.NGINX_ENVSUBST_FILTER);
    for (const n of TEMPLATE_NAMES) assert.match(n, filter);
    for (const n of ['PATH', 'HOME', 'NGINX_VERSION', 'remote_addr']) assert.doesNotMatch(n, filter);
    // The SPA's folder is where the proxy stage copied it.
    const copy = stage.instructions.find((i) => i.op === 'COPY' && i.args.includes('--from=spa'));
    assert.ok(copy, 'the proxy stage copies the SPA');
    assert.equal(copy.args.split(/\s+/).at(-1).replace(/\/$/, ''), proxy.environment.CLIENTELE_SPA_ROOT);
    // Published on CLIENTELE_HTTP_PORT, to the port nginx listens on.
    const [published, target] = String(proxy.ports[0]).split(':');
    assert.equal(published, filled.get('CLIENTELE_HTTP_PORT'));
    assert.equal(target, proxy.environment.CLIENTELE_PROXY_PORT);
    assert.equal(proxy.environment.CLIENTELE_APP_HOST, 'clientele.example.com');
    // The template routes the app host and the api. host to both upstreams.
    const conf = parseNginx(read(TEMPLATE));
    const upstream = conf.find((d) => d.name === 'upstream');
    const servers = upstream.block.filter((d) => d.name === 'server').map((d) => d.args[0]);
    assert.deepEqual(servers, ['${CLIENTELE_UPSTREAM_1}', '${CLIENTELE_UPSTREAM_2}']);
    const hosts = conf
      .filter((d) => d.name === 'server')
      .filter((s) => JSON.stringify(s.block).includes(`http://${upstream.args[0]}`))
      .map((s) => s.block.find((d) => d.name === 'server_name').args[0]);
    assert.deepEqual(hosts.sort(), ['${CLIENTELE_APP_HOST}', 'api.${CLIENTELE_APP_HOST}']);
    assert.match(proxy.healthcheck.test.join(' '), /proxy-health/);
  });
});

describe('settings: docker-compose.yml, .env.example and README agree', () => {
  let settings;
  let composeOnly;
  const read_ = composeVariables(composeText);
  before(() => {
    settings = readmeTableNames('Settings', 'variable');
    composeOnly = readmeTableNames('Production', 'variable');
  });

  test('README has both tables', () => {
    assert.ok(settings.size >= 20, `README's settings table: ${[...settings]}`);
    assert.ok(composeOnly.size >= 3, `README's Production table: ${[...composeOnly]}`);
  });

  test('.env.example lists every variable docker-compose.yml reads, and nothing else', () => {
    assert.deepEqual([...read_].sort(), [...example.keys()].sort());
    for (const name of seen) assert.ok(read_.has(name), name);
  });

  test('every setting given to the instances is in README\'s settings table', () => {
    for (const name of Object.keys(services.api1.environment)) {
      assert.ok(settings.has(name), `${name} is not in README's settings table`);
    }
  });

  test('every variable of docker-compose.yml and .env.example is documented in README', () => {
    for (const name of new Set([...read_, ...example.keys()])) {
      assert.ok(
        settings.has(name) || composeOnly.has(name),
        `${name}: neither in README's settings table nor in its Production table`,
      );
    }
    for (const name of composeOnly) {
      assert.ok(!settings.has(name), `${name} is in both README tables`);
      assert.ok(read_.has(name) || name in services.proxy.environment, `README's Production table names ${name}, which docker-compose.yml does not read`);
    }
  });

  test('every setting in README\'s table reaches the instances (compose or the image)', () => {
    const { stages } = parseDockerfile();
    const imageEnv = new Set(
      stages.at(-1).instructions.filter((i) => i.op === 'ENV').flatMap((i) => envPairs(i.args).map(([k]) => k)),
    );
    for (const name of settings) {
      assert.ok(
        name in services.api1.environment || imageEnv.has(name),
        `${name} (README) is neither passed by docker-compose.yml nor set by the image`,
      );
    }
  });
});
