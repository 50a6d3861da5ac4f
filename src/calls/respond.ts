/**
 * One place that turns any failure of a command into a sentence for a person:
 * bad input, a UAPI error, or a bug (logged, never shown as a stack trace).
 */
import { UapiError } from '../uapi/errors.js';
import { CommandError } from './command.js';
import type { Logger } from '../log.js';

export function failureText(err: unknown, logger?: Logger): string {
  if (err instanceof CommandError) return err.message;
  if (err instanceof UapiError) return err.sentence;
  logger?.error('unexpected failure', { error: err instanceof Error ? err : String(err) });
  return 'Something went wrong inside callops; the error was logged for your administrator. Refresh the call to see its current state.';
}
