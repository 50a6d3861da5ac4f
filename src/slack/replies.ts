/**
 * Private answers to failures, shared by every listener: an expired or missing
 * link becomes a fresh link prompt, anything else its plain-language sentence.
 */
import { failureText } from '../calls/respond.js';
import { LinkRequired, type SlackUser } from './accounts.js';
import type { SlackDeps } from './deps.js';

/** A failure as a private reply; an expired or missing link becomes a fresh link prompt. */
export async function failureReply(deps: SlackDeps, user: SlackUser, err: unknown, channelId?: string) {
  if (err instanceof LinkRequired) {
    return deps.linking.start(user, {
      channelId,
      why:
        err.reason === 'expired'
          ? 'Your VoipNow sign-in has expired and could not be renewed. Link your account again; nothing was done.'
          : 'First link your VoipNow account. Nothing was sent to VoipNow.',
    });
  }
  return { response_type: 'ephemeral' as const, replace_original: false, text: `:warning: ${failureText(err, deps.logger)}` };
}

