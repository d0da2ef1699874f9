#!/usr/bin/env bash
# Issue 29 — the production shape, checked without a container engine:
# docker-compose.yml against the Compose Specification's JSON schema (the copy
# pinned in package.json: dclint 3.1.0's schemas/compose.schema.json) and the
# shape README's "Production" describes; .env.example and README's settings table
# against it; the Dockerfile, .dockerignore and both health checks (run with bash
# against a stand-in); the nginx template rendered, under `nginx -t`, and nginx
# on loopback ports in front of two stand-in instances.
#
#   tests/deploy/run.sh
#
# Needs Node.js 20 with npm (the tools are installed here by npm ci), bash, and
# for the nginx part Debian's nginx and envsubst (gettext-base): without them that
# part is skipped, except under CI=true, where it fails (scripts/test.sh installs
# them first).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
exec npm run --silent test
