/**
 * Board cards as Block Kit: a headline a supervisor reads (who calls whom, the
 * extension or queue, the state, since when in Slack date formatting so clients
 * keep the time current without updates), one line per leg with the buttons
 * its state offers (the same builders as every call card), and an ended card
 * without buttons. Also the compact summary: one line per live call. A card's
 * buttons carry the version it is drawn at (card-version.ts), like every call card's,
 * and its block ids are built from the call's ids like theirs (hashed when long or unusual).
 */
import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { CALL_ACTIONS } from '../../calls/actions.js';
import { code, escapeMrkdwn } from '../blocks/mrkdwn.js';
import { type CardTarget, REFRESH_ACTION_ID, blockId, idKey } from '../blocks/ids.js';
import { FIRST_VERSION, stampVersion } from '../cards/card-version.js';
import { confirmOf, viewButtons } from '../blocks/call-card.js';
import type { CallSnapshot } from '../../board/snapshot.js';
import { STATE_EMOJI, headline, when } from '../blocks/call-headline.js';
import { LIMITS, clip } from '../blocks/limits.js';
import { mrkdwn } from '../cards/slack-text.js';
import type { SlackMessage } from '../cards/slack-message.js';

/** Numbers and extensions in code spans: the `*` of `0003*210` must not start bold text. */
function numbersAsCode(text: string): string {
  return text
    .split(/([+\d*#]{3,})/)
    .map((part, i) => (i % 2 ? code(part) : escapeMrkdwn(part)))
    .join('');
}

/** The card of one call on a board, its buttons carrying `version` (a new card's until the writer draws it again). */
export function boardCard(s: CallSnapshot, version = FIRST_VERSION): SlackMessage {
  const blocks: KnownBlock[] = [{ type: 'section', block_id: blockId(s.id, 'head'), text: { type: 'mrkdwn', text: clip(`${STATE_EMOJI[s.state]} ${headline(s)}`, LIMITS.sectionText) } }];
  const text = clip(mrkdwn(`${s.caller} → ${s.called} on ${s.extension}: ${s.state}`), LIMITS.messageText);
  if (s.state === 'ended') {
    blocks.push({ type: 'context', block_id: blockId(s.id, 'id'), elements: [{ type: 'mrkdwn', text: `Call ${code(s.id)} · the thread has its history` }] });
    return { text, blocks };
  }
  const room = Math.floor((LIMITS.messageBlocks - 3) / 2);
  for (const leg of s.legs.slice(0, room)) {
    blocks.push({
      type: 'context',
      block_id: blockId(s.id, `leg.${idKey(leg.id)}`),
      elements: [{ type: 'mrkdwn', text: clip(`*${escapeMrkdwn(leg.id)}* ${numbersAsCode(leg.text)}`, LIMITS.contextText) }],
    });
    const buttons = viewButtons(leg.view, { id: s.id, extension: s.extension }, leg.mode);
    if (buttons.length) blocks.push({ type: 'actions', block_id: blockId(s.id, `actions.${idKey(leg.id)}`), elements: buttons } satisfies ActionsBlock);
  }
  const hangup = CALL_ACTIONS.find((a) => a.name === 'hangup')!;
  const target = JSON.stringify({ call: s.id, extension: s.extension } satisfies CardTarget);
  const callButtons: Button[] = [
    { type: 'button', action_id: REFRESH_ACTION_ID, text: { type: 'plain_text', text: 'Refresh' }, value: target },
    {
      type: 'button',
      action_id: `call.${hangup.name}`,
      style: 'danger',
      text: { type: 'plain_text', text: hangup.label },
      value: target,
      confirm: confirmOf(hangup),
    },
  ];
  blocks.push({ type: 'actions', block_id: blockId(s.id, 'call'), elements: callButtons });
  return stampVersion({ text, blocks }, version);
}

/** One message for a whole busy channel: a line per live call (caller, agent, state, since when). */
export function summaryMessage(calls: CallSnapshot[], note: string): SlackMessage {
  const lines = calls.map((s) => `${STATE_EMOJI[s.state]} ${code(s.caller)} · ${s.agents.map(code).join(', ') || code(s.called)} · ${s.state} since ${when(s.since)} · ${code(s.id)}`);
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: clip(`*${calls.length} live call(s)* · ${note}`, LIMITS.sectionText) } }];
  // Sections of up to ~2900 characters, at most 45 of them.
  let chunk = '';
  for (const line of lines) {
    if (chunk.length + line.length + 1 > LIMITS.sectionText - 100) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
      chunk = '';
      if (blocks.length >= LIMITS.messageBlocks - 2) break;
    }
    chunk += (chunk ? '\n' : '') + line;
  }
  if (chunk && blocks.length < LIMITS.messageBlocks - 1) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
  return { text: `${calls.length} live call(s)`, blocks };
}
