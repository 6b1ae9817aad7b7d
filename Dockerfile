# The ledger as a container image. Not built on the machines this project is made on (no container engine there):
# test/e2e/going-live.test.ts checks what can be checked without one (this file's start command is the one the
# spawned-ledger tests run, the compose file parses and wires the ledger to PostgreSQL).
#
#   docker build -t appointment-ledger .
#   docker compose up -d postgres ledger ledger-standby

# Build: compile the TypeScript and the admin UI with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

# Run: production dependencies and the compiled output only, as the unprivileged `node` user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 DATA_DIR=/app/.data
WORKDIR /app
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --chown=node:node --from=build /app/dist ./dist
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/apps/ledger/src/main.js"]
