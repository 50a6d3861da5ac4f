# callops: the Slack app (and, with another command, the sandbox PBX).
# Build:  docker build -t callops .
# Run:    docker run --env-file .env -p 3000:3000 callops      (see README, "Deploying")

# --- build: compile TypeScript, then keep only production dependencies -------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 normally downloads a prebuilt binary; these build it from source if not.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: node, the compiled app, production dependencies; no compiler, no sources ----
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# SQLite lives in DATA_DIR when DATABASE_URL is unset: mount a volume. (Production needs TOKEN_ENCRYPTION_KEY:
# no key is generated there.)
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
# The official image's unprivileged user (uid 1000).
USER node
EXPOSE 3000
# Liveness only (/healthz); orchestrators should use GET /readyz for readiness.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The same command as `npm start` after its build step (package.json "start").
CMD ["node", "--enable-source-maps", "dist/main.js"]
