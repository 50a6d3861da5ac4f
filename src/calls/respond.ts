/**
 * The console's sentence for any failure, from the one error base (src/errors.ts):
 * commands in usage lines and examples are written as typed at the console prompt.
 * Slack chooses its own variant in src/slack/replies.ts.
 */
import { sentenceOf } from '../errors.js';
import { CommandError } from './command.js';
import type { Logger } from '../log.js';

/** The failure in plain words (Slack escapes it for mrkdwn: src/slack/replies.ts `failureMrkdwn`). */
export function failureText(err: unknown, logger?: Logger): string {
  const text = err instanceof CommandError ? err.sentenceFor('') : sentenceOf(err, (e) => logger?.error('unexpected failure', { error: e instanceof Error ? e : String(e) }));
  return text;
}
