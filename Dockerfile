# syntax=docker/dockerfile:1
# TodoBox production image: `docker build -t todobox .` (docker-compose.yml and infra/docker build it too).
#
# Three stages on one Debian base:
#   build            every dependency (TypeScript and the test tools) to compile app/dist
#   production-deps  `npm ci --omit=dev`: only the runtime dependencies, compiled with the build tools
#   runtime          the final image: Node, Debian's SQLite library, the runtime dependencies and the compiled
#                    app, run as an unprivileged user; no compiler, no devDependencies (no test tools)

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
# sqlite3 is compiled against Debian's libsqlite3 (seconds) instead of its bundled copy (minutes) and
# instead of a downloaded prebuilt binary, so the image links the library the runtime stage installs.
ENV npm_config_sqlite=/usr \
    npm_config_build_from_source=sqlite3 \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

FROM base AS toolchain
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ libsqlite3-dev \
    && rm -rf /var/lib/apt/lists/*

FROM toolchain AS build
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY app/src ./app/src
COPY app/public ./app/public
RUN npm run build

FROM toolchain AS production-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# mariadb-client: mysqldump and mysql, for `todobox backup` and `restore` against MySQL or MariaDB
# (the compose file's and the Docker stack's backup containers run this image).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-0 tini mariadb-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    PORT=9191 \
    BIND_ADDRESS=0.0.0.0 \
    LOG_DIR=logs
# The image's own unprivileged `node` user (uid 1000) runs the app; it owns only what the app writes:
# instance/ (the SQLite file, when SQLite is used), logs/, and for the backup container backups/ and
# metrics/ (the backup metric for node_exporter's textfile collector).
COPY --chown=root:root package.json package-lock.json ./
COPY --from=production-deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/app/dist ./app/dist
COPY --chown=root:root app/views ./app/views
COPY --chown=root:root app/public ./app/public
COPY --chown=root:root bin ./bin
COPY --chown=root:root scripts/docker-entrypoint.sh scripts/backup-daily.sh ./scripts/
RUN mkdir -p instance logs backups metrics && chown node:node instance logs backups metrics
USER node
EXPOSE 9191
# Node's own fetch: slim images carry no curl. /healthz answers 200 while the process serves requests.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 9191) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM makes the app stop accepting, finish in-flight requests (SHUTDOWN_TIMEOUT_SECONDS) and exit 0.
STOPSIGNAL SIGTERM
# tini reaps zombies and forwards SIGTERM to the app, which runs as a child of the entrypoint's exec.
ENTRYPOINT ["/usr/bin/tini", "--", "/app/scripts/docker-entrypoint.sh"]
CMD ["node", "app/dist/server.js"]
