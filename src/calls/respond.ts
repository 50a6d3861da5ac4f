/**
 * The console's sentence for any failure, from the one error base (src/errors.ts):
 * commands in usage lines and examples are written as typed at the console prompt.
 * Slack chooses its own variant in src/slack/replies.ts.
 */
import { sentenceOf } from '../errors.js';
import { CommandError, oneLine } from './command.js';
import { escapeMrkdwn } from './card.js';
import type { Logger } from '../log.js';

/**
 * The failure as one line. For Slack (`mrkdwn`, the default) it is escaped: the
 * sentence may echo what a user typed (`/call hold <!channel>`) or what the PBX
 * answered, and neither may become a mention or a link. The console asks for `plain`.
 */
export function failureText(err: unknown, logger?: Logger, format: 'mrkdwn' | 'plain' = 'mrkdwn'): string {
  const text = err instanceof CommandError ? err.sentenceFor('') : sentenceOf(err, (e) => logger?.error('unexpected failure', { error: e instanceof Error ? e : String(e) }));
  return format === 'mrkdwn' ? escapeMrkdwn(oneLine(text)) : text;
}
