#!/usr/bin/env bash
# Builds everything (the SPA and the release binary) and starts Clientele on the
# embedded SQLite database under ./data, serving the SPA. Settings: README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -f frontend/package.json ]]; then
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)
  export CLIENTELE_FRONTEND_DIR=${CLIENTELE_FRONTEND_DIR:-$PWD/frontend/dist}
fi
cargo build --release -p clientele
exec ./target/release/clientele serve
