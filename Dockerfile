# syntax=docker/dockerfile:1
#
# Clientele's images (issue 29). Three stages build, two are shipped:
#   spa      the SPA, built with Node 20 (frontend/ -> dist/)
#   binary   `clientele`, built in release mode
#   proxy    the official nginx image with the SPA's files (docker-compose.yml's proxy;
#            its configuration is mounted: deploy/nginx/clientele.conf.template)
#   runtime  the last stage, the default: Debian slim, the binary and the SPA's
#            files, nothing else, run as an unprivileged user
#
#   docker build -t clientele .                      # the runtime image
#   docker build --target proxy -t clientele-proxy . # the proxy
#
# Versions are pinned to a line and move with it: Rust as on the developers'
# machines, Node 20 as README says, Debian 12 (bookworm) in every stage so the
# binary runs on the glibc it was linked against.

ARG RUST_VERSION=1.95
ARG NODE_VERSION=20
ARG NGINX_VERSION=1.28

# --- the SPA -----------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS spa
WORKDIR /src/frontend
# @playwright/test is a dev dependency (the end-to-end suite); no browser is wanted here.
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
COPY frontend/package.json frontend/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY frontend/ ./
RUN npm run build

# --- the binary --------------------------------------------------------------------
FROM rust:${RUST_VERSION}-bookworm AS binary
WORKDIR /src
# .cargo/config.toml sets LIBSQLITE3_FLAGS (SQLite's query planner stability
# guarantee, docs/performance/sqlite.md): it must be in the build context.
COPY Cargo.toml Cargo.lock ./
COPY .cargo/ .cargo/
COPY migrations/ migrations/
COPY backend/ backend/
# The registry and the target folder are cache mounts, so the binary is copied
# out in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p clientele \
    && install -m 0755 target/release/clientele /usr/local/bin/clientele

# --- the proxy ---------------------------------------------------------------------
FROM nginx:${NGINX_VERSION} AS proxy
COPY --from=spa /src/frontend/dist/ /usr/share/clientele/spa/

# --- the runtime (last, so the default target) -------------------------------------
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 clientele \
    && useradd --system --uid 10001 --gid clientele --no-create-home \
       --home-dir /var/lib/clientele --shell /usr/sbin/nologin clientele \
    && install -d -o clientele -g clientele -m 0750 /var/lib/clientele
COPY --from=binary /usr/local/bin/clientele /usr/local/bin/clientele
COPY --from=spa /src/frontend/dist/ /usr/share/clientele/spa/

# Listen on every interface of the container; keep the data folder (unused on
# PostgreSQL with CLIENTELE_JWT_SECRET set, but always created) where the user may
# write; serve the SPA's files too, for a single instance without the proxy.
ENV CLIENTELE_BIND=0.0.0.0:8080 \
    CLIENTELE_DATA_DIR=/var/lib/clientele \
    CLIENTELE_FRONTEND_DIR=/usr/share/clientele/spa \
    CLIENTELE_LOG_FORMAT=json

USER 10001:10001
WORKDIR /var/lib/clientele
EXPOSE 8080

# The image has no curl: bash opens the TCP connection itself (/dev/tcp) and
# reads the status line of GET /readyz (200 while the database answers, else
# 503), on the port of CLIENTELE_BIND.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>\"/dev/tcp/127.0.0.1/${CLIENTELE_BIND##*:}\" && printf 'GET /readyz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q '^HTTP/1\\.1 200 '"]

# SIGTERM (docker stop) lets in-flight requests finish for CLIENTELE_SHUTDOWN_GRACE
# seconds; the binary is PID 1 and handles it itself.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/clientele"]
CMD ["serve"]
