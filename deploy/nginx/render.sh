#!/usr/bin/env bash
# Renders clientele.conf.template with exactly its five placeholders, leaving
# nginx's own $variables alone, and fails when one of the five is unset or empty.
#
#   CLIENTELE_UPSTREAM_1=127.0.0.1:18081 CLIENTELE_UPSTREAM_2=127.0.0.1:18082 \
#   CLIENTELE_PROXY_PORT=127.0.0.1:18080 CLIENTELE_APP_HOST=clientele.test \
#   CLIENTELE_SPA_ROOT=$PWD/frontend/dist \
#     deploy/nginx/render.sh > "$tmp/clientele.conf"
#
# The same as:
#   envsubst '${CLIENTELE_UPSTREAM_1} ${CLIENTELE_UPSTREAM_2} ${CLIENTELE_PROXY_PORT} ${CLIENTELE_APP_HOST} ${CLIENTELE_SPA_ROOT}' \
#     < deploy/nginx/clientele.conf.template
# (envsubst is in Debian's gettext-base.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
names=(CLIENTELE_UPSTREAM_1 CLIENTELE_UPSTREAM_2 CLIENTELE_PROXY_PORT CLIENTELE_APP_HOST CLIENTELE_SPA_ROOT)
shell_format=
for name in "${names[@]}"; do
  if [[ -z "${!name:-}" ]]; then
    echo "render.sh: $name is not set" >&2
    exit 2
  fi
  export "${name?}"
  shell_format+="\${$name} "
done
exec envsubst "$shell_format" < "$here/clientele.conf.template"
