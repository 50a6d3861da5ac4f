/**
 * The console's exit codes, and which one a failure earns. Scripts rely on
 * them: 0 success, 1 failure, 2 usage error, 4 not authorised, 130 interrupted.
 */
import { CommandError } from '../calls/command.js';
import { UapiError } from '../uapi/errors.js';

export const EXIT = { ok: 0, failure: 1, usage: 2, notAuthorised: 4, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad input to the console itself (a flag, or a command the console does not run). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const DENIED = new Set(['access_denied', 'pce_access_denied', 'user_invalid']);

/** The exit code for a failure: parse errors are usage errors, a refused token or permission is "not authorised". */
export function exitCodeOf(err: unknown, stage: 'parse' | 'run'): ExitCode {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof CommandError && stage === 'parse') return EXIT.usage;
  if (err instanceof UapiError && (err.status === 401 || err.status === 403 || DENIED.has(err.code))) return EXIT.notAuthorised;
  return EXIT.failure;
}

/** A short stable name for the failure in --json output. */
export function errorCodeOf(err: unknown, exit: ExitCode): string {
  if (err instanceof UapiError) return err.code;
  if (exit === EXIT.usage) return 'usage';
  const own = (err as { code?: unknown } | undefined)?.code;
  if (typeof own === 'string' && own) return own;
  if (err instanceof CommandError) {
    // CallGone -> call_gone: the subclass says what happened.
    return err.name === 'CommandError' ? 'command_failed' : err.name.replace(/(?<=[a-z])(?=[A-Z])/g, '_').toLowerCase();
  }
  return 'internal';
}
