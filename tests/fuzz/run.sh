#!/usr/bin/env bash
# Issue #5, part 2 — API fuzzing with schemathesis against the real binary, on
# SQLite and on PostgreSQL: every check, positive and negative data, the
# examples, coverage, fuzzing and stateful phases, authenticated, at least 100
# examples per operation (schemathesis.toml), checked afterwards from the report
# (coverage.py). Any failure fails the script.
#
#   tests/fuzz/run.sh                 # both stores
#   FUZZ_STORES=sqlite tests/fuzz/run.sh
#
# Env: CLIENTELE_BIN (default target/debug/clientele); FUZZ_STORES ("sqlite
# postgres"); FUZZ_PG_URL (server to create a throw-away database on, default
# postgres://postgres@127.0.0.1:5432); FUZZ_SEED (reproduce a run); PYTHON.
# Extra arguments go to `st run` (e.g. --max-examples 10, --include-path /api/clients).
# Reports (NDJSON, JUnit) land in tests/fuzz/results/<store>/.
set -euo pipefail
cd "$(dirname "$0")"
HERE=$PWD
ROOT=$(cd ../.. && pwd)
BIN=${CLIENTELE_BIN:-$ROOT/target/debug/clientele}
STORES=${FUZZ_STORES:-sqlite postgres}
PG_URL=${FUZZ_PG_URL:-postgres://postgres@127.0.0.1:5432}
PYTHON=${PYTHON:-python3}

[[ -x "$BIN" ]] || { echo "fuzz: $BIN is missing; build it with cargo build -p clientele" >&2; exit 1; }

stamp=$(sha256sum requirements.txt | cut -d' ' -f1)
if [[ ! -x .venv/bin/st || "$(cat .venv/.requirements 2>/dev/null)" != "$stamp" ]]; then
  echo "fuzz: creating .venv (schemathesis)"
  rm -rf .venv
  "$PYTHON" -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check --no-input -r requirements.txt
  echo "$stamp" > .venv/.requirements
fi

random() { "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(24))'; }
free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

SERVER_PID= DATA_DIR= PG_DB=
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
  [[ -n "$DATA_DIR" ]] && rm -rf "$DATA_DIR"
  DATA_DIR=
  if [[ -n "$PG_DB" ]]; then
    psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null || true
  fi
  PG_DB=
}
trap cleanup EXIT

fuzz_store() {
  local store=$1 started=$SECONDS
  shift
  DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/clientele-fuzz-$store.XXXXXX")
  export CLIENTELE_DATA_DIR=$DATA_DIR
  case $store in
    sqlite) unset CLIENTELE_DATABASE_URL ;;
    postgres)
      PG_DB="clientele_fuzz_$$_$RANDOM"
      psql -q "$PG_URL/postgres" -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
      export CLIENTELE_DATABASE_URL="$PG_URL/$PG_DB"
      ;;
    *) echo "fuzz: unknown store $store" >&2; return 1 ;;
  esac
  local port; port=$(free_port)
  export CLIENTELE_BIND=127.0.0.1:$port CLIENTELE_LOG=${CLIENTELE_LOG:-warn}
  # The bootstrap super admin the fuzzer runs as (a name it will not guess), with a
  # password that needs no change, and an operator account for change-password.
  export CLIENTELE_ADMIN_EMAIL=fuzz-runner@example.test FUZZ_USERNAME=fuzz-runner
  export FUZZ_PASSWORD; FUZZ_PASSWORD=$(random)
  export CLIENTELE_ADMIN_PASSWORD=$FUZZ_PASSWORD
  export FUZZ_PW_USERNAME=fuzz-password FUZZ_PW_PASSWORD; FUZZ_PW_PASSWORD=$(random)
  CLIENTELE_NEW_ADMIN_PASSWORD=$FUZZ_PW_PASSWORD "$BIN" admin create \
    --email fuzz-password@example.test --username "$FUZZ_PW_USERNAME" \
    --name "Fuzz password account" --role admin >/dev/null

  "$BIN" serve >"$DATA_DIR/server.log" 2>&1 &
  SERVER_PID=$!
  export FUZZ_BASE_URL=http://127.0.0.1:$port
  for _ in $(seq 1 100); do
    curl -fsS "$FUZZ_BASE_URL/readyz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DATA_DIR/server.log"; echo "fuzz: the server died" >&2; return 1; }
    sleep 0.1
  done

  local results=$HERE/results/$store status=0
  rm -rf "$results" && mkdir -p "$results"
  curl -fsS "$FUZZ_BASE_URL/api/openapi.json" -o "$results/openapi.json"
  echo "fuzz[$store]: schemathesis against $FUZZ_BASE_URL/api/openapi.json"
  # The filter selects every path: without one, schemathesis leaves out the
  # operation that serves the document it loaded (GET /api/openapi.json).
  PYTHONDONTWRITEBYTECODE=1 SCHEMATHESIS_HOOKS=$HERE/hooks.py .venv/bin/st --config-file "$HERE/schemathesis.toml" run \
    "$FUZZ_BASE_URL/api/openapi.json" --include-path-regex '^/' \
    --no-color --report junit,ndjson --report-dir "$results" \
    ${FUZZ_SEED:+--seed "$FUZZ_SEED"} "$@" || status=$?
  # Every operation of the served document fuzzed with at least 100 cases, the
  # stateful phase run and chained. Only for a full run: extra options may narrow
  # it on purpose, and then the check is skipped (and says so).
  if [[ $# -gt 0 ]]; then
    echo "fuzz[$store]: extra options given; the coverage check (coverage.py) is skipped"
  elif [[ $status -eq 0 ]]; then
    "$PYTHON" "$HERE/coverage.py" "$results/openapi.json" "$results"/ndjson-*.ndjson || status=1
  fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "fuzz[$store]: the server died during the run" >&2
    status=1
  fi
  if grep -qiE "panicked|request failed" "$DATA_DIR/server.log"; then
    echo "fuzz[$store]: the server logged panics or internal errors:" >&2
    grep -iE -A3 "panicked|request failed" "$DATA_DIR/server.log" | head -40 >&2
    status=1
  fi
  cp "$DATA_DIR/server.log" "$results/server.log"
  cleanup
  echo "fuzz[$store]: finished in $((SECONDS - started)) s (exit $status)"
  return $status
}

overall=0
for store in $STORES; do
  fuzz_store "$store" "$@" || overall=1
done
exit $overall
