/**
 * The logger, over pino: one JSON object per line in production (NODE_ENV=production or
 * stderr not a terminal), readable lines on a terminal in development (pino-pretty, when it
 * is installed). Tokens never reach a line: pino's redaction removes token, secret,
 * authorization and `code` fields, and every string (message and metadata) also passes
 * through `redact`, which catches tokens inside free text.
 */
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { redact } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export const LOG_LEVELS: readonly Exclude<LogLevel, 'silent'>[] = ['debug', 'info', 'warn', 'error'];

export interface Logger {
  debug(msg: string, meta?: Record<string, unknown>): void;
  info(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
  error(msg: string, meta?: Record<string, unknown>): void;
}

/** Field names whose values are secrets, at the top level of metadata and one level down. */
const SECRET_FIELDS = [
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'botToken',
  'appToken',
  'secret',
  'clientSecret',
  'client_secret',
  'signingSecret',
  'password',
  'authorization',
  'Authorization',
  'cookie',
  'code',
];
export const REDACT_PATHS = [...SECRET_FIELDS, ...SECRET_FIELDS.map((f) => `*.${f}`), '*.headers.authorization', '*.headers.Authorization'];

export interface LoggerOptions {
  /** 'json' (production) or 'pretty' (terminal). Default: from NODE_ENV and whether stderr is a TTY. */
  format?: 'json' | 'pretty';
  /** Logger name in each line (default callops). */
  name?: string;
}

/**
 * `write` receives each finished line without its newline (tests); by default lines go to stderr.
 */
export function createLogger(level: LogLevel = parseLogLevel(process.env.LOG_LEVEL) ?? 'info', write?: (line: string) => void, options: LoggerOptions = {}): Logger {
  const lvl: LogLevel = level === 'silent' ? 'silent' : (parseLogLevel(level) ?? 'info');
  const format = options.format ?? (write || process.env.NODE_ENV === 'production' || !process.stderr.isTTY ? 'json' : 'pretty');
  const base = pino(
    {
      name: options.name ?? 'callops',
      level: lvl,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    destination(format, write),
  );
  return wrap(base);
}

export const silentLogger: Logger = wrap(pino({ level: 'silent' }));

/** The level named by a LOG_LEVEL value, or undefined when it is not one. */
export function parseLogLevel(value: string | undefined): Exclude<LogLevel, 'silent'> | undefined {
  const v = value?.trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(v ?? '') ? (v as Exclude<LogLevel, 'silent'>) : undefined;
}

function wrap(p: PinoLogger): Logger {
  const emit = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, meta?: Record<string, unknown>) => {
    if (!p.isLevelEnabled(lvl)) return;
    if (meta) p[lvl](scrub(meta, 0) as Record<string, unknown>, redact(msg));
    else p[lvl](redact(msg));
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

function destination(format: 'json' | 'pretty', write?: (line: string) => void): DestinationStream {
  if (write) return { write: (chunk: string) => write(chunk.replace(/\n$/, '')) };
  if (format === 'pretty') {
    const pretty = loadPretty();
    if (pretty) return pretty({ colorize: true, destination: 2, ignore: 'pid,hostname,name', translateTime: 'SYS:HH:MM:ss.l' });
  }
  return pino.destination({ fd: 2, sync: true });
}

type Pretty = (opts: Record<string, unknown>) => DestinationStream;

/** pino-pretty is a development dependency: used when installed, never required. */
function loadPretty(): Pretty | undefined {
  try {
    const mod = createRequire(import.meta.url)('pino-pretty') as Pretty | { default: Pretty };
    return typeof mod === 'function' ? mod : mod.default;
  } catch {
    return undefined;
  }
}

/** Redacts free text in every string, turns errors into {name, message}; bounded depth. */
function scrub(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redact(value);
  if (value instanceof Error) return { name: value.name, message: redact(value.message) };
  if (value === null || typeof value !== 'object') return value;
  if (depth > 5) return '[deep]';
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrub(v, depth + 1);
  return out;
}
