/**
 * Configuration of the Slack app: read from the environment (and `.env` via
 * dotenv in main.ts), checked with zod at start (config-schema.ts). Anything
 * missing or malformed stops the start with one message naming each variable,
 * what it is for and where to get it.
 */
import type { z } from 'zod';
import type { RingKey } from './store/crypto.js';
import { keyRingOf } from './config-token-keys.js';
import { VARIABLES } from './config-variables.js';
import { type DistributionSettings, distributionSettings } from './config-distribution.js';
import { schema } from './config-schema.js';

export { VARIABLES } from './config-variables.js';

export interface Config {
  /**
   * clientId/clientSecret: Sign in with Slack for /call link (optional). `distribution` set: no bot token
   * (botToken is ''), workspaces install through /slack/install and their tokens are stored.
   */
  slack: {
    botToken: string;
    signingSecret?: string;
    appToken?: string;
    apiUrl?: string;
    clientId?: string;
    clientSecret?: string;
    distribution?: DistributionSettings;
  };
  port: number;
  publicUrl: string;
  /** Undefined: start the embedded sandbox PBX. */
  voipnow?: { url: string; clientId: string; clientSecret: string; caFile?: string; insecureTls: boolean; timeoutMs: number };
  voipnowTimeoutMs: number;
  dataDir: string;
  databaseUrl?: string;
  /** Most connections the PostgreSQL store's pool opens. */
  databasePoolMax: number;
  /** PostgreSQL schema of the store, the leases and (with a _jobs suffix) pg-boss. */
  databaseSchema?: string;
  /** How long a replica's leases last without renewal (renewed every third of it). */
  leaseMs: number;
  /** How long ended calls' board cards, audit lines and call cards are kept. */
  retentionMs: number;
  tokenEncryptionKey?: string;
  /** TOKEN_ENCRYPTION_KEYS (or TOKEN_ENCRYPTION_KEY as the key `default`), newest first; undefined: the development key file. */
  tokenKeys?: RingKey[];
  /** NODE_ENV=production: nothing is guessed (see productionProblems). */
  production: boolean;
  supervisors?: string[];
  supervisorGroup?: string;
  /** The supervisor board. */
  board: {
    /** Base URL the PBX posts PhoneCallEvents to; undefined = polling only. */
    eventsUrl?: string;
    pollLiveMs: number;
    pollIdleMs: number;
    updatesPerMinute: number;
    thresholds: { holdSeconds: number; parkSeconds: number; ringSeconds: number };
    /** Extensions that are queues for ring alerts; undefined: every watched extension. */
    queues?: string[];
  };
  sandboxPort: number;
  /** When set, `GET /metrics` needs it as a bearer token. */
  metricsToken?: string;
  /** How many workspaces /metrics names in its labels; the rest count as "other". */
  metricsWorkspaceLabels?: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      [
        'callops cannot start; fix these settings (in the environment or .env, see .env.example):',
        ...problems.map((p) => `  - ${p}`),
        'To try callops without Slack, run: npm run console',
      ].join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** One line per variable, each name once, in the order of VARIABLES: what is wrong, what it is for, where to get it. */
function problemsOf(issues: z.ZodIssue[]): string[] {
  const byName = new Map<string, string[]>();
  for (const issue of issues) {
    const name = String(issue.path[0] ?? 'configuration');
    const message = issue.message.startsWith(`${name} `) ? issue.message.slice(name.length + 1) : issue.message;
    const messages = byName.get(name) ?? [];
    if (!messages.includes(message)) messages.push(message);
    byName.set(name, messages);
  }
  const order = Object.keys(VARIABLES);
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return [...byName]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([name, messages]) => {
      const doc = VARIABLES[name];
      return `${name} ${messages.join('; ')}${doc ? `: ${doc.what} (${doc.where}).` : '.'}`;
    });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new ConfigError(problemsOf(parsed.error.issues));
  const c = parsed.data;
  return {
    slack: {
      botToken: c.SLACK_BOT_TOKEN ?? '',
      signingSecret: c.SLACK_SIGNING_SECRET,
      appToken: c.SLACK_APP_TOKEN,
      apiUrl: c.SLACK_API_URL,
      clientId: c.SLACK_CLIENT_ID,
      clientSecret: c.SLACK_CLIENT_SECRET,
      ...(distributionSettings(c) && { distribution: distributionSettings(c) }),
    },
    port: c.PORT,
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ''),
    voipnow: c.VOIPNOW_URL
      ? {
          url: c.VOIPNOW_URL,
          clientId: c.VOIPNOW_CLIENT_ID!,
          clientSecret: c.VOIPNOW_CLIENT_SECRET!,
          caFile: c.VOIPNOW_CA_FILE,
          insecureTls: c.VOIPNOW_INSECURE_TLS,
          timeoutMs: c.VOIPNOW_TIMEOUT_MS,
        }
      : undefined,
    voipnowTimeoutMs: c.VOIPNOW_TIMEOUT_MS,
    dataDir: c.DATA_DIR,
    databaseUrl: c.DATABASE_URL,
    databasePoolMax: c.DATABASE_POOL_MAX,
    databaseSchema: c.DATABASE_SCHEMA,
    leaseMs: c.LEASE_SECONDS * 1000,
    retentionMs: c.RETENTION_DAYS * 24 * 60 * 60 * 1000,
    tokenEncryptionKey: c.TOKEN_ENCRYPTION_KEY,
    ...(keyRingOf(c) && { tokenKeys: keyRingOf(c) }),
    production: c.NODE_ENV === 'production',
    supervisors: c.SUPERVISOR_USER_IDS,
    supervisorGroup: c.SUPERVISOR_GROUP,
    board: {
      eventsUrl:
        c.BOARD_EVENTS === 'off'
          ? undefined
          : c.BOARD_EVENTS === 'on' || (c.PUBLIC_URL && !c.SLACK_APP_TOKEN)
            ? (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, '')
            : undefined,
      pollLiveMs: c.BOARD_POLL_SECONDS * 1000,
      pollIdleMs: c.BOARD_IDLE_POLL_SECONDS * 1000,
      updatesPerMinute: c.BOARD_UPDATES_PER_MINUTE,
      thresholds: { holdSeconds: c.HOLD_ALERT_SECONDS, parkSeconds: c.PARK_ALERT_SECONDS, ringSeconds: c.RING_ALERT_SECONDS },
      ...(c.BOARD_QUEUES && { queues: c.BOARD_QUEUES }),
    },
    sandboxPort: c.SANDBOX_PORT,
    ...(c.METRICS_TOKEN && { metricsToken: c.METRICS_TOKEN }),
    ...(c.METRICS_WORKSPACE_LABELS !== undefined && { metricsWorkspaceLabels: c.METRICS_WORKSPACE_LABELS }),
    logLevel: c.LOG_LEVEL ?? 'info',
  };
}
