# onlyoffice-exporter: Prometheus exporter and doctor for ONLYOFFICE Docs.
#
#   docker build -t onlyoffice-exporter .
#   docker run -d --name onlyoffice-exporter -p 9967:9967 --read-only --tmpfs /tmp \
#     -v ./config.yml:/etc/onlyoffice-exporter/config.yml:ro onlyoffice-exporter
#   docker exec onlyoffice-exporter doctor --lang=en        # or: docker run --rm ... onlyoffice-exporter doctor
#   docker exec onlyoffice-exporter healthcheck             # what the HEALTHCHECK sees
#
# What each collector needs mounted (all read-only): the Docker socket for containers and supervisor
# (/var/run/docker.sock, plus --group-add of its group, or a socket proxy through DOCKER_HOST), the DS
# data paths for disk (/var/lib/onlyoffice, /var/www/onlyoffice/Data, /var/log/onlyoffice), the DS
# certificate folder for certificate files (/var/www/onlyoffice/Data/certs). See deploy/compose/.
# No secret is baked in: the JWT secret comes from the mounted config, ${ENV} in it, or *_file.

ARG NODE_IMAGE=node:24-bookworm-slim

# Production dependencies only.
FROM ${NODE_IMAGE} AS deps
# A nearer npm registry or mirror for the install (e.g. your company's Nexus), empty for npm's default:
#   docker build --build-arg NPM_REGISTRY=https://nexus.example.internal/repository/npm/ -t onlyoffice-exporter .
ARG NPM_REGISTRY=
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund ${NPM_REGISTRY:+--registry=$NPM_REGISTRY} && npm cache clean --force

# src/ as plain JavaScript (scripts/build.mjs, esbuild): run by node without a TypeScript loader, as `npm start` does.
FROM deps AS build
COPY scripts/build.mjs ./scripts/
COPY src ./src
RUN node scripts/build.mjs

FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="onlyoffice-exporter" \
      org.opencontainers.image.description="Prometheus exporter and doctor for ONLYOFFICE Docs (Document Server)" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production \
    ONLYOFFICE_EXPORTER_CONFIG=/etc/onlyoffice-exporter/config.yml
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json package-lock.json ./
COPY deploy/docker/entrypoint.sh deploy/docker/doctor deploy/docker/healthcheck /usr/local/bin/
COPY deploy/docker/healthcheck.mjs ./deploy/docker/
# Served at /runbooks/<AlertName>, two levels up from dist/web/ as from src/web/.
COPY docs/runbooks ./docs/runbooks
COPY deploy/docker/config.yml /etc/onlyoffice-exporter/config.yml
# The node user (uid 1000) of the official image; root owns the files, so the process cannot change them.
USER node
EXPOSE 9967
# GET /-/healthy with node (no curl in the slim image) on the exporter's own --web.listen-address, over HTTPS
# when its --web.config.file turns TLS on; with basic auth the 401 counts as alive (see healthcheck.mjs).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/healthcheck"]
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
