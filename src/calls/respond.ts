/**
 * One place that turns any failure of a command into a sentence for a person:
 * bad input, a UAPI error, or a bug (logged, never shown as a stack trace).
 */
import { UapiError } from '../uapi/errors.js';
import { CommandError, oneLine } from './command.js';
import { escapeMrkdwn } from './card.js';
import type { Logger } from '../log.js';

/**
 * The failure as one line. For Slack (`mrkdwn`, the default) it is escaped: the
 * sentence may echo what a user typed (`/call hold <!channel>`) or what the PBX
 * answered, and neither may become a mention or a link. The console asks for `plain`.
 */
export function failureText(err: unknown, logger?: Logger, format: 'mrkdwn' | 'plain' = 'mrkdwn'): string {
  const text = plainFailure(err, logger);
  return format === 'mrkdwn' ? escapeMrkdwn(oneLine(text)) : text;
}

function plainFailure(err: unknown, logger?: Logger): string {
  if (err instanceof CommandError) return err.message;
  if (err instanceof UapiError) return err.sentence;
  logger?.error('unexpected failure', { error: err instanceof Error ? err : String(err) });
  return 'Something went wrong inside callops; the error was logged for your administrator. Refresh the call to see its current state.';
}
