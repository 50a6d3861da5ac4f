/**
 * The DM a phone user gets for a call that rang on their extension and was not
 * answered: who called (escaped: caller names come from the PBX), when (Slack's
 * date formatting, in the reader's time zone), how long it rang, and a Call back
 * button that dials the caller from the user's own phone. Pure.
 */
import type { Button, KnownBlock } from '@slack/types';
import type { MissedCall } from '../../board/line-calls.js';
import { durationWords } from '../../board/snapshot.js';
import { LIMITS, clip } from '../blocks/limits.js';
import { code, slackDate } from '../blocks/mrkdwn.js';
import { mrkdwn } from '../cards/slack-text.js';

/** A press of Call back: `value` is `{"n": number to call, "e": your extension}`. */
export const CALL_BACK_ACTION_ID = 'phone.call_back';

/** What a Call back button carries: the number to call and the phone that rings first. */
export interface CallBackTarget {
  n: string;
  e: string;
}

/** A Call back button for this number, from this extension. */
export function callBackButton(number: string, extension: string, label = 'Call back'): Button {
  return {
    type: 'button',
    action_id: CALL_BACK_ACTION_ID,
    style: 'primary',
    text: { type: 'plain_text', text: clip(label, LIMITS.buttonText) },
    value: JSON.stringify({ n: number, e: extension } satisfies CallBackTarget),
  };
}

/** The caller in mrkdwn: their name as the PBX gave it, escaped, and the number in a code span. */
export function callerWords(caller: string, number: string | undefined): string {
  if (!number || caller === number) return code(caller);
  const name = caller
    .replace(/\s*<[^<>]*>\s*$/, '')
    .replace(/^"(.*)"$/, '$1')
    .trim();
  return name && name !== number ? `*${mrkdwn(name)}* ${code(number)}` : code(number);
}

export function missedCallMessage(m: MissedCall): { text: string; blocks: KnownBlock[] } {
  const who = callerWords(m.caller, m.number);
  const rang = m.rangSeconds > 0 ? ` · rang ${durationWords(m.rangSeconds)}` : '';
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      block_id: `missed.${m.phoneCallId}`.slice(0, 255),
      text: {
        type: 'mrkdwn',
        text: clip(`:telephone_receiver: *Missed call* from ${who} on ${code(m.extension)}\n${slackDate(m.rangAt, '{date_short_pretty} at {time}')}${rang}`, LIMITS.sectionText),
      },
    },
  ];
  if (m.voicemail) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: ':studio_microphone: The call went to voicemail.' }] });
  if (m.number) blocks.push({ type: 'actions', block_id: `missed.${m.phoneCallId}.actions`.slice(0, 255), elements: [callBackButton(m.number, m.extension)] });
  else blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'The PBX gave no number to call back.' }] });
  return { text: clip(`Missed call from ${mrkdwn(m.caller)} on ${m.extension}`, LIMITS.messageText), blocks };
}
