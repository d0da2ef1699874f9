#!/usr/bin/env bash
# Runs every test of Clientele: Rust (format, lints, unit and integration tests on
# SQLite and PostgreSQL), then the frontend (generated-client drift, types, lint,
# unit tests, build), the end-to-end suite in Chromium, and the proof (issue #5):
# spec lint, a generated Python client, and API fuzzing on both stores.
#
# Under CI=true, PostgreSQL, Redis and Chromium are required (started / installed here);
# elsewhere their absence is reported as SKIPPED, loudly.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
IS_CI=false
[[ "${CI:-}" == "true" || "${CI:-}" == "1" ]] && IS_CI=true
SKIPPED=()
START=$(date +%s)

section() { printf '\n\033[1m=== %s\033[0m\n' "$*"; }
loud_skip() {
  SKIPPED+=("$1")
  printf '\n\033[1;33m!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n'
  printf '!!! SKIPPED: %s\n' "$1"
  printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\033[0m\n\n'
}

# "host port" of a service URL (scheme://[user@]host[:port]/…), with a default port.
host_port() {
  local hp
  hp=$(sed -E 's#^[a-z]+://([^@/]*@)?([^/?]+).*#\2#' <<<"$1")
  if [[ "$hp" == *:* ]]; then echo "${hp%:*} ${hp##*:}"; else echo "$hp $2"; fi
}
listens() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# --- PostgreSQL -------------------------------------------------------------
export TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
read -r pg_host pg_port <<<"$(host_port "$TEST_DATABASE_URL" 5432)"
pg_up() { listens "$pg_host" "$pg_port"; }

section "PostgreSQL at $pg_host:$pg_port"
if ! pg_up && $IS_CI; then
  echo "PostgreSQL is down; starting it"
  if command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
if pg_up; then
  echo "reachable: the PostgreSQL half of the suite runs"
elif $IS_CI; then
  echo "PostgreSQL is required under CI=true and is unreachable at $pg_host:$pg_port" >&2
  exit 1
else
  loud_skip "the PostgreSQL half of the Rust suite (nothing listens at $pg_host:$pg_port; set TEST_DATABASE_URL)"
fi

# --- Redis (the shared-state tests) ---------------------------------------------
export TEST_REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379}
read -r redis_host redis_port <<<"$(host_port "$TEST_REDIS_URL" 6379)"
redis_up() { listens "$redis_host" "$redis_port"; }

section "Redis at $redis_host:$redis_port"
if ! redis_up && $IS_CI; then
  echo "Redis is down; starting it"
  if ! command -v redis-server >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
  redis-server --port "$redis_port" --save '' --appendonly no --daemonize yes >/dev/null || true
  for _ in $(seq 1 30); do redis_up && break; sleep 1; done
fi
if redis_up; then
  echo "reachable: the shared-state tests run"
elif $IS_CI; then
  echo "Redis is required under CI=true and is unreachable at $redis_host:$redis_port" >&2
  exit 1
else
  loud_skip "the Redis shared-state tests (nothing listens at $redis_host:$redis_port; set TEST_REDIS_URL)"
fi

# --- nginx (the production-shape tests: Rust's two instances behind the proxy, and tests/deploy)
section "nginx"
if $IS_CI && ! { command -v nginx >/dev/null && command -v envsubst >/dev/null; }; then
  echo "nginx or envsubst is missing; installing them"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx gettext-base >/dev/null
  # The package may start a system nginx; the tests run their own on loopback.
  if [[ -s /run/nginx.pid ]]; then nginx -s quit 2>/dev/null || true; fi
fi
if command -v nginx >/dev/null; then
  echo "found: the tests behind the real proxy run"
else
  loud_skip "the Rust tests behind nginx (two instances, rolling restart): nginx not found; apt-get install nginx"
fi

# --- Rust ---------------------------------------------------------------------
section "cargo fmt --check"
cargo fmt --all -- --check
section "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --quiet -- -D warnings
section "cargo test (unit + integration, SQLite and PostgreSQL)"
cargo test --workspace

# --- Frontend -----------------------------------------------------------------
section "frontend: npm ci"
(cd frontend && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
section "frontend: the generated client matches openapi/openapi.json"
npm --prefix frontend run --silent check:generated
section "frontend: typecheck, lint, unit tests, build"
npm --prefix frontend run --silent typecheck
npm --prefix frontend run --silent lint
npm --prefix frontend test
npm --prefix frontend run --silent build

# --- End to end -------------------------------------------------------------------
# run-e2e.mjs installs Chromium under CI=true and skips loudly without it elsewhere.
section "end-to-end (Playwright in Chromium, against the real binary and SPA)"
cargo build --quiet -p clientele
if [[ ! -x /usr/bin/chromium && "$IS_CI" != true ]]; then
  loud_skip "the end-to-end suite (Chromium not found at /usr/bin/chromium; apt-get install chromium)"
else
  node tests/e2e/run-e2e.mjs
fi

# --- Proof (issue #5): spec lint, the integrators' Python client, API fuzzing ----
# Each needs only Node.js/npm or Python 3 with venv; the tools themselves are pinned
# under tests/ and installed there (npm ci, a .venv per suite). Under CI=true a
# missing Python venv or psql is installed; elsewhere it is SKIPPED, loudly.
timed() { local t=$SECONDS; "$@"; printf '(%s: %d s)\n' "$1" $((SECONDS - t)); }

section "proof: spec lint (Redocly CLI, recommended rules) over openapi/openapi.json"
(cd tests/lint && npm ci --no-audit --no-fund --loglevel=error)
timed npm --prefix tests/lint run --silent lint

python_ok() { command -v python3 >/dev/null && python3 -c 'import ensurepip, venv' 2>/dev/null; }
if ! python_ok && $IS_CI; then
  echo "Python 3 with venv is missing; installing it"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
fi
if ! command -v psql >/dev/null && $IS_CI; then
  echo "psql is missing; installing it"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null
fi

section "proof: a Python client generated from openapi/openapi.json drives the service"
if python_ok; then
  timed tests/python-client/run.sh
else
  loud_skip "the integrators' Python-client proof (python3 with the venv module not found)"
fi

section "proof: API fuzzing (schemathesis: all checks, positive and negative, stateful)"
fuzz_stores=sqlite
if pg_up && command -v psql >/dev/null; then
  fuzz_stores="sqlite postgres"
else
  loud_skip "API fuzzing on PostgreSQL (no PostgreSQL at $pg_host:$pg_port, or no psql)"
fi
if python_ok; then
  FUZZ_STORES=$fuzz_stores FUZZ_PG_URL=${FUZZ_PG_URL:-${TEST_DATABASE_URL%/*}} \
    timed tests/fuzz/run.sh
else
  loud_skip "API fuzzing (python3 with the venv module not found)"
fi

# --- Production shape (issue #29): docker-compose.yml, Dockerfile, nginx ----------
# No container engine: the compose file against the Compose Specification's schema
# (pinned under tests/deploy, installed there by npm ci) and its shape, the
# Dockerfile, the health checks against a stand-in, and Debian's nginx with the
# shipped configuration. Under CI=true nginx and envsubst are installed when
# missing; elsewhere the nginx part is SKIPPED, loudly.
section "production shape: compose file, Dockerfile, nginx routing (tests/deploy)"
if ! command -v nginx >/dev/null || ! command -v envsubst >/dev/null; then
  loud_skip "nginx with the shipped configuration (nginx or envsubst not found; apt-get install nginx gettext-base)"
fi
timed tests/deploy/run.sh

section "done in $(( $(date +%s) - START )) s"
if ((${#SKIPPED[@]})); then
  for s in "${SKIPPED[@]}"; do printf '\033[1;33mSKIPPED: %s\033[0m\n' "$s"; done
fi
