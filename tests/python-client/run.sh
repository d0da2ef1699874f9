#!/usr/bin/env bash
# Issue #5, part 5 — the integrators' proof. Generates a Python client from
# openapi/openapi.json with openapi-python-client (fresh each run, never committed,
# used as generated) and runs the pytest test that drives the real binary with it.
#
#   tests/python-client/run.sh
#
# Env: CLIENTELE_BIN (default target/debug/clientele), OPENAPI_JSON (default
# openapi/openapi.json), PYTHON (default python3). The virtual environment lives in
# tests/python-client/.venv and is rebuilt when requirements.txt changes.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
export CLIENTELE_BIN=${CLIENTELE_BIN:-$ROOT/target/debug/clientele}
SPEC=${OPENAPI_JSON:-$ROOT/openapi/openapi.json}
PYTHON=${PYTHON:-python3}

stamp=$(sha256sum requirements.txt | cut -d' ' -f1)
if [[ ! -x .venv/bin/python || "$(cat .venv/.requirements 2>/dev/null)" != "$stamp" ]]; then
  echo "python-client: creating .venv (openapi-python-client, pytest)"
  rm -rf .venv
  "$PYTHON" -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check --no-input -r requirements.txt
  echo "$stamp" > .venv/.requirements
fi

out=.venv/generated
rm -rf "$out" && mkdir -p "$out"
echo "python-client: generating clientele_client from ${SPEC#"$ROOT"/}"
.venv/bin/openapi-python-client generate --path "$SPEC" --config generator.yml \
  --meta none --output-path "$out/clientele_client" --overwrite

PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$out" exec .venv/bin/python -m pytest -p no:cacheprovider -q test_integrators_proof.py "$@"
