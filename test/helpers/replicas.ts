/**
 * Real callops processes (`src/main.ts`) on one PostgreSQL schema, one sandbox PBX and one
 * recording Slack API: start, SIGKILL, SIGTERM, and which of them holds the board's lease.
 */
import { type CallopsProcess, spawnCallops } from './callops-process.js';
import { freePort } from './free-port.js';
import { pgAdmin } from './pg.js';

export const REPLICA_SECRET = 'replicas-signing-secret';

export interface Replica extends CallopsProcess {
  base: string;
}

export interface ReplicaEnv {
  /** Without it, the process keeps its own SQLite store in `dataDir`. */
  databaseUrl?: string;
  schema?: string;
  slackApiUrl: string;
  voipnowUrl: string;
  key: string;
  dataDir: string;
  /** Extra variables (lease and poll times). */
  extra?: Record<string, string>;
}

export { freePort };

/** Starts one replica and waits for its /readyz (the board lease is then being competed for). */
export async function startReplica(e: ReplicaEnv, readyMs = 90_000): Promise<Replica> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc = spawnCallops(
    {
      SLACK_BOT_TOKEN: 'xoxb-replicas',
      SLACK_SIGNING_SECRET: REPLICA_SECRET,
      SLACK_API_URL: e.slackApiUrl,
      PORT: String(port),
      PUBLIC_URL: base,
      VOIPNOW_URL: e.voipnowUrl,
      VOIPNOW_CLIENT_ID: 'callops-demo',
      VOIPNOW_CLIENT_SECRET: 'callops-demo-secret',
      DATA_DIR: e.dataDir,
      ...(e.databaseUrl !== undefined && { DATABASE_URL: e.databaseUrl }),
      ...(e.schema !== undefined && { DATABASE_SCHEMA: e.schema }),
      TOKEN_ENCRYPTION_KEY: e.key,
      ...e.extra,
    },
    20_000,
  );
  const { child } = proc;
  const r: Replica = Object.assign(proc, { base });
  const deadline = Date.now() + readyMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`replica exited at start (${child.exitCode}): ${r.stderr}`);
    const res = await fetch(`${base}/readyz`).catch(() => undefined);
    if (res?.status === 200) return r;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`replica not ready within ${readyMs} ms: ${r.stderr}`);
}

/** The pid of the replica holding the board's lease now (by the database's clock), if any. */
export async function boardHolderPid(schema: string): Promise<number | undefined> {
  const rows = await pgAdmin<{ owner: string }>(`SELECT owner FROM "${schema}".callops_leases WHERE key LIKE 'board:%' AND expires_at > clock_timestamp()`).catch(() => []);
  const m = rows[0]?.owner.match(/-(\d+)-[0-9a-f]{6}$/);
  return m ? Number(m[1]) : undefined;
}

export async function dropSchemas(schema: string): Promise<void> {
  await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`);
}
