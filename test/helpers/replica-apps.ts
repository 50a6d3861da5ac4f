/**
 * In-process replicas of the Slack app on one PostgreSQL schema of their own (dropped with its
 * job schema afterwards), sharing one sandbox PBX, one recording Slack API and one UAPI client,
 * with UA linked as VoipNow user 12 on 0003*210: started before the file's tests (`beforeAll`)
 * and stopped after them. With `coordinated`, each replica has its own coordination (pg-boss
 * queue and leases) on that schema, as separate processes would.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { openCoordination, type Coordination } from '../../src/coordination/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import type { SlackApp, SlackAppOptions } from '../../src/slack/app.js';
import { PostgresStore, TokenCipher } from '../../src/store/index.js';
import { UapiHttp } from '../../src/uapi/http.js';
import { VoipnowOAuth } from '../../src/uapi/oauth.js';
import { freshSchema, pgAdmin, pgUrl } from './pg.js';
import { startReplicaApp } from './replica-app.js';
import { type SlackApi, startSlackApi } from './slack-api.js';

export interface RunningReplica {
  app: SlackApp;
  base: string;
  /** With `coordinated` only. */
  coordination?: Coordination;
  /** Set by a test that stopped this replica itself. */
  stopped: boolean;
}

export interface ReplicaAppsOptions {
  /** Names the schema (`<prefix>_<random>`). */
  schemaPrefix: string;
  /** How long the sandbox's phones ring before they answer (default 30 ms). */
  pickupDelayMs?: number;
  coordinated?: boolean;
  /** Each replica's options (follow-up timing, board timing, replicas). */
  options: (coordination: Coordination | undefined) => Partial<SlackAppOptions>;
  /** After a replica started, before the next one does. */
  started?: (replica: RunningReplica) => void;
}

export interface ReplicaApps {
  readonly schema: string;
  readonly sandbox: Sandbox;
  readonly api: SlackApi;
  readonly store: PostgresStore;
  readonly apps: RunningReplica[];
  readonly user: { teamId: string; userId: string };
}

/** Two replicas; use inside a describe that is skipped when `pgUrl` is undefined. */
export function replicaApps(o: ReplicaAppsOptions): ReplicaApps {
  const schema = freshSchema(o.schemaPrefix);
  const user = { teamId: 'T1', userId: 'UA' };
  const apps: RunningReplica[] = [];
  let sandbox: Sandbox | undefined;
  let api: SlackApi | undefined;
  let store: PostgresStore | undefined;
  let http: UapiHttp | undefined;

  beforeAll(async () => {
    sandbox = await startSandbox({ pickupDelayMs: o.pickupDelayMs ?? 30 });
    api = await startSlackApi();
    store = new PostgresStore({ connectionString: pgUrl!, cipher: TokenCipher.fromKey(randomBytes(32).toString('hex')), schema });
    http = new UapiHttp({ baseUrl: sandbox.url, timeoutMs: 3000 });
    const oauth = new VoipnowOAuth(http, { clientId: 'callops-demo', clientSecret: 'callops-demo-secret' });
    for (let i = 0; i < 2; i++) {
      const coordination = o.coordinated ? await openCoordination({ databaseUrl: pgUrl!, schema }) : undefined;
      const replica: RunningReplica = { ...(await startReplicaApp({ api, store, http, oauth }, o.options(coordination))), ...(coordination && { coordination }), stopped: false };
      o.started?.(replica);
      apps.push(replica);
    }
    const t = sandbox.issueToken('12');
    await apps[0]!.app.deps.accounts.link(
      user,
      { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: new Date(Date.now() + t.expiresIn * 1000) },
      { extension: '0003*210' },
    );
  }, 60_000);

  afterAll(async () => {
    for (const a of apps) {
      if (!a.stopped) await a.app.stop().catch(() => undefined);
      await a.coordination?.close().catch(() => undefined);
    }
    http?.close();
    await store?.close();
    await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`).catch(() => undefined);
    await api?.close();
    await sandbox?.close();
  });

  const started = <T>(what: T | undefined): T => {
    if (what === undefined) throw new Error('the replicas are used before they started (outside a test or hook)');
    return what;
  };
  return {
    schema,
    apps,
    user,
    get sandbox() {
      return started(sandbox);
    },
    get api() {
      return started(api);
    },
    get store() {
      return started(store);
    },
  };
}
