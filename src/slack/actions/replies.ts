/**
 * Failures as Slack's private answers, from the one error base (src/errors.ts):
 * a missing or expired link becomes a fresh link prompt, anything else its
 * sentence, with commands written as typed in Slack (`/call list 0003*210`).
 */
import { CALL_ACTIONS } from '../../calls/actions.js';
import { CommandError, oneLine } from '../../calls/command.js';
import { escapeMrkdwn } from '../blocks/mrkdwn.js';
import { sentenceOf } from '../../errors.js';
import { LinkRequired, type SlackUser } from '../users/accounts.js';
import type { Logger } from '../../log.js';
import type { Linking } from '../users/linking.js';

const COMMAND_WORDS = new Set(['list', 'help', 'events', 'link', 'unlink', 'whoami', 'notify', ...CALL_ACTIONS.map((a) => a.name)]);

/** Commands quoted in a sentence (`list 0003*210`) written as Slack commands (`/call list 0003*210`). */
export function asSlackCommands(sentence: string): string {
  return sentence.replace(/`([a-z]+)((?: [^`]*)?)`/g, (whole, word: string, rest: string) => (COMMAND_WORDS.has(word) ? `\`/call ${word}${rest}\`` : whole));
}

/**
 * The sentence for a failure, Slack-flavoured, on one line and escaped: it may echo
 * what a user typed (`/call hold <!channel>`) or what the PBX answered, and neither
 * may become a mention or a link.
 */
export function slackSentence(err: unknown, deps: { logger: Logger }): string {
  const text = err instanceof CommandError ? err.sentenceFor('/call ') : sentenceOf(err, (e) => deps.logger.error('unexpected failure', { error: e instanceof Error ? e : String(e) }));
  return asSlackCommands(escapeMrkdwn(oneLine(text)));
}

/** A failure as a private reply; an expired or missing link becomes a fresh link prompt. */
export async function failureReply(deps: { linking: Linking; logger: Logger }, user: SlackUser, err: unknown, channelId?: string) {
  if (err instanceof LinkRequired) return linkPrompt(deps, user, err.reason, channelId);
  return { response_type: 'ephemeral' as const, replace_original: false, text: `:warning: ${slackSentence(err, deps)}` };
}

/** The private link prompt for a user without a usable link; says that nothing was done. */
export async function linkPrompt(deps: { linking: Linking }, user: SlackUser, reason: LinkRequired['reason'], channelId?: string, responseUrl?: string) {
  const reply = await deps.linking.start(user, {
    channelId,
    ...(responseUrl && { responseUrl }),
    why:
      reason === 'expired'
        ? 'Your VoipNow sign-in has expired and could not be renewed. Link your account again; nothing was done.'
        : 'First link your VoipNow account: callops acts on calls as you, with your own VoipNow permissions. Nothing was sent to VoipNow.',
  });
  return { ...reply, replace_original: false };
}

/**
 * A submitted form whose card was drawn with a newer state while it was open: nothing was sent
 * to VoipNow. `shows` is the card's headline now (callops' own escaped mrkdwn).
 */
export function staleFormReply(shows: string) {
  return {
    response_type: 'ephemeral' as const,
    replace_original: false,
    text: `The call changed while the form was open, so nothing was sent to VoipNow. The call now: ${shows}. Press the button again on the card as it is now.`,
  };
}
