/** Bolt's logger interface, backed by ours so Bolt's lines are redacted like every other. */
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Config } from '../../config.js';
import type { Logger } from '../../log.js';

/** Bolt logs through ours, so its lines are redacted like every other. */
export function boltLogger(logger: Logger, level: LogLevel): BoltLogger {
  const text = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(' ');
  let current = level;
  return {
    debug: (...a) => logger.debug(`bolt: ${text(a)}`),
    info: (...a) => logger.info(`bolt: ${text(a)}`),
    warn: (...a) => logger.warn(`bolt: ${text(a)}`),
    error: (...a) => logger.error(`bolt: ${text(a)}`),
    setLevel: (l) => (current = l),
    getLevel: () => current,
    setName: () => undefined,
  };
}

/** LOG_LEVEL drives Bolt's own logger too (its lines then pass through ours). */
export function boltLevel(logLevel: Config['logLevel'] | undefined): LogLevel {
  return { debug: LogLevel.DEBUG, info: LogLevel.INFO, warn: LogLevel.WARN, error: LogLevel.ERROR }[logLevel ?? 'warn'];
}
