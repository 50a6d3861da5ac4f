/**
 * Configuration of the Slack app: read from the environment (and `.env` via
 * dotenv in main.ts), checked with zod at start. Anything missing or malformed
 * stops the start with one message naming each variable, what it is for and
 * where to get it.
 */
import { z } from 'zod';
import type { RingKey } from './store/crypto.js';
import { productionProblems } from './config-production.js';
import { keyRingOf, tokenKeyProblems } from './config-token-keys.js';
import { LOG_LEVELS, parseLogLevel } from './log.js';
import { VARIABLES } from './config-variables.js';

export { VARIABLES } from './config-variables.js';

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const url = (name: string) =>
  optional.refine(
    (v) => v === undefined || /^https?:\/\/[^\s/]+/.test(v),
    (v) => ({ message: `must be an http(s) URL like https://${name === 'VOIPNOW_URL' ? 'voipnow' : 'host'}.example.com, got "${v}"` }),
  );
const port = (fallback: number) =>
  optional.transform((v, ctx) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be a port number, got "${v}"` });
      return z.NEVER;
    }
    return n;
  });

/** A positive number (seconds, or a count per minute). */
const seconds = (fallback: number) =>
  optional.transform((v, ctx) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be a positive number, got "${v}"` });
      return z.NEVER;
    }
    return n;
  });

const schema = z
  .object({
    SLACK_BOT_TOKEN: optional,
    SLACK_SIGNING_SECRET: optional,
    SLACK_APP_TOKEN: optional,
    SLACK_API_URL: url('SLACK_API_URL'),
    SLACK_CLIENT_ID: optional,
    SLACK_CLIENT_SECRET: optional,
    SLACK_STATE_SECRET: optional,
    PORT: port(3000),
    PUBLIC_URL: url('PUBLIC_URL'),
    VOIPNOW_URL: url('VOIPNOW_URL'),
    VOIPNOW_CLIENT_ID: optional,
    VOIPNOW_CLIENT_SECRET: optional,
    VOIPNOW_CA_FILE: optional,
    VOIPNOW_INSECURE_TLS: optional.transform((v) => v === 'true' || v === '1'),
    VOIPNOW_TIMEOUT_MS: optional.transform((v) => (v === undefined ? 10_000 : Number(v))).refine((n) => Number.isFinite(n) && n > 0, 'must be a number of milliseconds'),
    DATA_DIR: optional.transform((v) => v ?? './data'),
    DATABASE_URL: optional,
    DATABASE_POOL_MAX: optional.transform((v, ctx) => {
      if (v === undefined) return 10;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 1000) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be a whole number of connections from 1 to 1000, e.g. 10, got "${v}"` });
        return z.NEVER;
      }
      return n;
    }),
    DATABASE_SCHEMA: optional.refine((v) => v === undefined || /^[a-z_][a-z0-9_]{0,50}$/.test(v), 'must be a plain lower-case identifier (letters, digits, underscore)'),
    LEASE_SECONDS: seconds(6),
    RETENTION_DAYS: seconds(30),
    TOKEN_ENCRYPTION_KEY: optional,
    TOKEN_ENCRYPTION_KEYS: optional,
    NODE_ENV: optional,
    SUPERVISOR_USER_IDS: optional.transform((v) => (v ? v.split(/[\s,]+/).filter(Boolean) : undefined)),
    SUPERVISOR_GROUP: optional,
    BOARD_EVENTS: optional.pipe(z.enum(['on', 'off'], { message: 'must be on or off' }).optional()),
    BOARD_POLL_SECONDS: seconds(1.2),
    BOARD_IDLE_POLL_SECONDS: seconds(30),
    BOARD_UPDATES_PER_MINUTE: seconds(40),
    HOLD_ALERT_SECONDS: seconds(60),
    PARK_ALERT_SECONDS: seconds(120),
    RING_ALERT_SECONDS: seconds(30),
    BOARD_QUEUES: optional.transform((v, ctx) => {
      const list = [...new Set((v ?? '').split(/[\s,]+/).filter(Boolean))];
      const bad = list.filter((x) => !/^\d+(\*\d+)?$/.test(x));
      if (bad.length) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be extensions separated by commas, e.g. 0003*300,0003*301; not an extension: "${bad[0]}"` });
        return z.NEVER;
      }
      return list.length ? list : undefined;
    }),
    SANDBOX_PORT: port(8080),
    METRICS_TOKEN: optional,
    METRICS_WORKSPACE_LABELS: optional.transform((v, ctx) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be a whole number of workspaces (0 or more), e.g. 20, got "${v}"` });
        return z.NEVER;
      }
      return n;
    }),
    LOG_LEVEL: optional.transform((v, ctx) => {
      if (v === undefined) return undefined;
      const level = parseLogLevel(v);
      if (!level) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be one of ${LOG_LEVELS.join(', ')}, got "${v}"` });
        return z.NEVER;
      }
      return level;
    }),
  })
  .superRefine((c, ctx) => {
    const need = (name: keyof typeof c, why: string) => {
      if (!c[name]) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: `is required ${why}`.trim() });
    };
    // Distribution mode: no bot token; each workspace installs with "Add to Slack" and its token is stored.
    const distributed = !c.SLACK_BOT_TOKEN && Boolean(c.SLACK_STATE_SECRET);
    if (distributed) {
      need('SLACK_CLIENT_ID', 'when SLACK_STATE_SECRET is set without SLACK_BOT_TOKEN (distribution mode)');
      need('SLACK_CLIENT_SECRET', 'when SLACK_STATE_SECRET is set without SLACK_BOT_TOKEN (distribution mode)');
      if (c.SLACK_STATE_SECRET && c.SLACK_STATE_SECRET.length < 16) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['SLACK_STATE_SECRET'],
          message: `must be at least 16 random characters (openssl rand -hex 32), got ${c.SLACK_STATE_SECRET.length}`,
        });
      }
      if (c.SLACK_APP_TOKEN)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['SLACK_APP_TOKEN'],
          message: 'must not be set in distribution mode (SLACK_STATE_SECRET without SLACK_BOT_TOKEN): a distributed app receives HTTP on PORT',
        });
    } else {
      need('SLACK_BOT_TOKEN', 'to post to Slack');
    }
    if (c.SLACK_BOT_TOKEN && !c.SLACK_BOT_TOKEN.startsWith('xoxb-')) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['SLACK_BOT_TOKEN'], message: 'must start with xoxb-' });
    }
    if (c.SLACK_APP_TOKEN && !c.SLACK_APP_TOKEN.startsWith('xapp-')) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['SLACK_APP_TOKEN'], message: 'must start with xapp-' });
    }
    if (!c.SLACK_APP_TOKEN) need('SLACK_SIGNING_SECRET', 'when SLACK_APP_TOKEN is not set (HTTP mode)');
    if (c.SLACK_CLIENT_ID) need('SLACK_CLIENT_SECRET', 'when SLACK_CLIENT_ID is set (Sign in with Slack)');
    if (c.SLACK_CLIENT_SECRET) need('SLACK_CLIENT_ID', 'when SLACK_CLIENT_SECRET is set (Sign in with Slack)');
    if (c.VOIPNOW_URL) {
      need('VOIPNOW_CLIENT_ID', 'when VOIPNOW_URL is set');
      need('VOIPNOW_CLIENT_SECRET', 'when VOIPNOW_URL is set');
    }
    for (const [name, message] of tokenKeyProblems(c)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message });
    if (c.NODE_ENV === 'production') for (const [name, message] of productionProblems(c, { distributed })) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message });
  });

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
    distribution?: { clientId: string; clientSecret: string; stateSecret: string };
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
      ...(!c.SLACK_BOT_TOKEN && c.SLACK_STATE_SECRET && { distribution: { clientId: c.SLACK_CLIENT_ID!, clientSecret: c.SLACK_CLIENT_SECRET!, stateSecret: c.SLACK_STATE_SECRET } }),
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
