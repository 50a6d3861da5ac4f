/**
 * `npm start`: the Slack app. Reads .env, checks the configuration, opens the
 * store, and starts Bolt (Socket Mode or HTTP). Without VOIPNOW_URL it starts
 * the embedded sandbox PBX and says so.
 */
import 'dotenv/config';
import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { UapiHttp } from './uapi/http.js';
import { VoipnowOAuth } from './uapi/oauth.js';
import { tokenCipherOf } from './config-token-keys.js';
import { SqlInstallationStore, SqlVoipnowTenantStore, openStore, sqlRunnerOf } from './store/index.js';
import { createSlackApp } from './slack/app.js';
import { MemoryLeases, ReplicaPresence, openCoordination, retireLeftoverQueues } from './coordination/index.js';
import { RetentionSweeper } from './retention.js';
import { BOARD_HOLDER_QUEUE_PREFIX, replicaId } from './slack/board/holder.js';
import { LINKING_UNVERIFIED } from './slack/http/readiness-checks.js';
import { APP_NAME, APP_VERSION } from './version.js';

/** A name that never resolves (RFC 2606): the one-server client of production distribution mode, which no workspace uses. */
const UNUSED_VOIPNOW = 'https://voipnow.invalid';

async function voipnow(config: Config, logger: Logger) {
  if (config.voipnow) {
    return { ...config.voipnow, close: async () => undefined };
  }
  if (config.slack.distribution && config.production) {
    // Each workspace talks to the server its admin connected; nothing is ever sent to this one.
    return { url: UNUSED_VOIPNOW, clientId: 'unused', clientSecret: 'unused', caFile: undefined, insecureTls: false, timeoutMs: config.voipnowTimeoutMs, close: async () => undefined };
  }
  const { startSandbox } = await import('./sandbox/server.js');
  const clientId = process.env.SANDBOX_CLIENT_ID || 'callops-demo';
  const clientSecret = process.env.SANDBOX_CLIENT_SECRET || 'callops-demo-secret';
  // Tokens kept in DATA_DIR: restarting `npm start` keeps the users linked to the sandbox linked.
  const stateFile = join(config.dataDir, 'sandbox-tokens.json');
  const sandbox = await startSandbox({ port: config.sandboxPort, clientId, clientSecret, stateFile });
  logger.warn(`VOIPNOW_URL is not set: started the embedded sandbox PBX at ${sandbox.url} (demo data, not a real PBX). Its consent page lets you pick a demo user when you /call link.`);
  const traffic = Number(process.env.SANDBOX_TRAFFIC ?? 0);
  if (traffic > 0) {
    // Generated calls, so `/call watch 0003*210` shows a live board at once.
    const res = await fetch(`${sandbox.url}/_sandbox/traffic`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ callsPerMinute: traffic }) });
    logger.warn(res.ok ? `sandbox traffic: ${traffic} calls a minute` : `sandbox traffic refused: ${await res.text()}`);
  }
  return { url: sandbox.url, clientId, clientSecret, caFile: undefined, insecureTls: false, timeoutMs: config.voipnowTimeoutMs, close: () => sandbox.close() };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  // Last line of defence: whatever escapes a listener is logged, and the process keeps serving.
  process.on('unhandledRejection', (err) => logger.error('unhandled rejection (kept running)', { error: err instanceof Error ? err.message : String(err) }));
  process.on('uncaughtException', (err) => logger.error('uncaught exception (kept running)', { error: err.message }));
  const pbx = await voipnow(config, logger);
  const http = new UapiHttp({ baseUrl: pbx.url, caFile: pbx.caFile, insecureTls: pbx.insecureTls, timeoutMs: pbx.timeoutMs, logger });
  const oauth = new VoipnowOAuth(http, { clientId: pbx.clientId, clientSecret: pbx.clientSecret });
  const cipher = tokenCipherOf(config, (m) => logger.warn(m));
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    cipher,
    log: (m) => logger.warn(m),
    schema: config.databaseSchema,
    poolMax: config.databasePoolMax,
  });
  // With PostgreSQL, replicas coordinate through it (pg-boss jobs, leases); the board runs on one of them at a time.
  const coordination = config.databaseUrl
    ? await openCoordination({
        databaseUrl: config.databaseUrl,
        ...(config.databaseSchema && { schema: config.databaseSchema }),
        onError: (err) => logger.warn('coordination: database error', { error: err instanceof Error ? err.message : String(err) }),
      })
    : undefined;
  // One id for this replica among replicas: its board lease, its own queue, its presence, its retention turn.
  const owner = replicaId();
  // Alive before its queue exists, so a sweep elsewhere never takes that queue for a dead replica's.
  const presence = coordination
    ? new ReplicaPresence(coordination.leases, owner, (err) => logger.warn('replica presence: could not renew', { error: err instanceof Error ? err.message : String(err) }))
    : undefined;
  await presence?.start();
  // Distribution mode: each workspace's installation (its bot token) is kept beside the other tables.
  const installations = config.slack.distribution ? { store: new SqlInstallationStore(sqlRunnerOf(store), cipher), sql: sqlRunnerOf(store) } : undefined;
  // Distribution mode: each workspace's VoipNow server, set by its admin with /call connect.
  const tenants = config.slack.distribution ? { store: new SqlVoipnowTenantStore(sqlRunnerOf(store), cipher), timeoutMs: config.voipnowTimeoutMs } : undefined;
  const slack = createSlackApp({
    config,
    store,
    http,
    oauth,
    logger,
    ...(coordination && { replicas: { queue: coordination.queue, leases: coordination.leases, ttlMs: config.leaseMs, owner } }),
    ...(installations && { installations }),
    ...(tenants && { tenants }),
  });
  await slack.start();
  // Nothing grows without bound: one replica an hour purges what ended calls no longer need.
  const retention = new RetentionSweeper({
    store,
    leases: coordination?.leases ?? new MemoryLeases(),
    owner,
    retentionMs: config.retentionMs,
    ...(coordination && {
      retireQueues: () => retireLeftoverQueues({ queue: coordination.queue, leases: coordination.leases, perReplicaPrefix: BOARD_HOLDER_QUEUE_PREFIX }),
    }),
    onSwept: (n) => logger.debug('retention: purged', { ...n }),
    onError: (err) => logger.warn('retention: purge failed', { error: err instanceof Error ? err.message : String(err) }),
  });
  retention.start();
  if (config.production && !(config.slack.clientId && config.slack.clientSecret)) logger.warn(LINKING_UNVERIFIED);
  logger.info(
    `${APP_NAME} ${APP_VERSION} running: Slack ${slack.mode === 'socket' ? 'Socket Mode' : `HTTP on :${config.port}/slack/events`}, ` +
      `VoipNow ${config.slack.distribution ? "each workspace's own (/call connect)" : http.origin}, store ${config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`}, OAuth callback ${config.publicUrl}/oauth/voipnow/callback`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: shutting down (new requests refused, in-flight actions finishing)`);
    // Whatever happens, the process is gone within 10 s.
    setTimeout(() => {
      logger.error('shutdown took over 10 s; exiting');
      process.exit(1);
    }, 9_500).unref();
    await slack.stop({ drainMs: 8_000 }).catch((err: unknown) => logger.error('shutdown: stopping Slack failed', { error: err instanceof Error ? err.message : String(err) }));
    await retention.stop().catch(() => undefined);
    await presence?.stop().catch(() => undefined);
    await coordination?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    http.close();
    await pbx.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`callops failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
