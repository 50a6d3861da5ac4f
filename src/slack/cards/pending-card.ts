/**
 * A small card for a call whose state is not known yet (an action accepted but
 * not read back, or uncertain after a timeout): what happened, and Refresh.
 * Its block ids carry the call id, so the re-read replaces it like any card.
 */
import type { KnownBlock } from '@slack/types';
import { blockId, REFRESH_ACTION_ID } from '../blocks/ids.js';
import { code } from '../blocks/mrkdwn.js';
import type { SlackMessage } from './slack-message.js';
import { LIMITS, clip } from '../blocks/limits.js';

export function pendingCard(phoneCallId: string, extension: string, note: string): SlackMessage {
  const on = extension === '@self' ? '' : ` on ${code(extension)}`;
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: blockId(phoneCallId, 'head'), text: { type: 'mrkdwn', text: `:telephone_receiver: *Call* ${code(phoneCallId)}${on}` } },
    {
      type: 'actions',
      block_id: blockId(phoneCallId, 'call'),
      elements: [{ type: 'button', action_id: REFRESH_ACTION_ID, text: { type: 'plain_text', text: 'Refresh' }, value: JSON.stringify({ call: phoneCallId, extension }) }],
    },
    { type: 'context', block_id: blockId(phoneCallId, 'note'), elements: [{ type: 'mrkdwn', text: clip(note, LIMITS.contextText) }] },
  ];
  return { text: clip(`Call ${phoneCallId}: ${note}`, LIMITS.messageText), blocks };
}
