/**
 * The console's sentence for any failure, from the one error base (src/errors.ts):
 * commands in usage lines and examples are written as typed at the console prompt.
 * Slack chooses its own variant in src/slack/replies.ts.
 */
import { sentenceOf } from '../errors.js';
import { CommandError } from './command.js';
import type { Logger } from '../log.js';

export function failureText(err: unknown, logger?: Logger): string {
  if (err instanceof CommandError) return err.sentenceFor('');
  return sentenceOf(err, (e) => logger?.error('unexpected failure', { error: e instanceof Error ? e : String(e) }));
}
