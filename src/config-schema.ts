/**
 * The environment's variables as zod reads them: each one's shape and default, then the
 * checks across variables (which are required together, Slack's token prefixes, the token
 * keys, production's refusals). Every problem names its variable (config.ts lists them).
 */
import { z } from 'zod';
import { productionProblems } from './config-production.js';
import { tokenKeyProblems } from './config-token-keys.js';
import { isDistributed, slackModeProblems } from './config-distribution.js';
import { LOG_LEVELS, parseLogLevel } from './log.js';

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

const variables = z.object({
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
});

export const schema = variables.superRefine((c, ctx) => {
  const need = (name: keyof typeof c, why: string) => {
    if (!c[name]) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: `is required ${why}`.trim() });
  };
  // Distribution mode: no bot token; each workspace installs with "Add to Slack" and its token is stored.
  const distributed = isDistributed(c);
  for (const [name, message] of slackModeProblems(c)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message });
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
