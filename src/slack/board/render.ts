/**
 * Board cards as Block Kit: a headline a supervisor reads (who calls whom, the
 * extension or queue, the state, since when in Slack date formatting so clients
 * keep the time current without updates), one line per leg with the buttons
 * its state offers (the same builders as every call card), and an ended card
 * without buttons. Also the compact summary: one line per live call.
 */
import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { CALL_ACTIONS } from '../../calls/actions.js';
import { code, escapeMrkdwn, LIMITS, REFRESH_ACTION_ID, viewButtons } from '../../calls/card.js';
import { durationWords, type CallSnapshot } from '../../board/snapshot.js';
import type { SlackMessage } from '../publish.js';

const STATE_EMOJI: Record<CallSnapshot['state'], string> = {
  ringing: ':bell:',
  'on call': ':large_green_circle:',
  'on hold': ':double_vertical_bar:',
  parked: ':parking:',
  ended: ':no_entry_sign:',
};

function when(iso: string | undefined, format = '{time_secs}'): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return 'an unknown time';
  return `<!date^${Math.floor(t / 1000)}^${format}|${escapeMrkdwn(iso!)}>`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** "Customer <7778888> is calling 0003*300 · ringing since 10:41:07" */
export function headline(s: CallSnapshot): string {
  const who = code(s.caller);
  const on = code(s.extension);
  switch (s.state) {
    case 'ringing':
      return `${who} is calling ${code(s.called)}${s.called === s.extension ? '' : ` on ${on}`} · ringing since ${when(s.since)}`;
    case 'on call': {
      // The agents on the call other than the caller's own phone (an outbound call's caller is an agent too).
      const partners = s.agents.filter((a) => a !== s.from);
      return `${who} is talking with ${partners.map(code).join(', ') || code(s.called)} on ${on} · answered ${when(s.answered ?? s.since)}`;
    }
    case 'on hold':
      return `${who} is on hold on ${on} since ${when(s.since)}`;
    case 'parked':
      return `${who} is parked${s.parkedPos !== undefined ? ` at position ${s.parkedPos}` : ''}${s.parkedBy ? ` by ${code(s.parkedBy)}` : ''} on ${on} since ${when(s.since)}`;
    case 'ended': {
      const from = Date.parse(s.answered ?? s.started ?? '');
      const dur = Number.isNaN(from) ? '' : ` after ${durationWords((Date.parse(s.ended!.at) - from) / 1000)}`;
      return `${who} → ${code(s.called)} on ${on} ended ${when(s.ended?.at)}${dur} · ${s.ended?.outcome === 'answered' ? 'answered' : 'not answered'}`;
    }
  }
}

/** The card of one call on a board. */
export function boardCard(s: CallSnapshot): SlackMessage {
  const blocks: KnownBlock[] = [{ type: 'section', block_id: `${s.id}.head`, text: { type: 'mrkdwn', text: clip(`${STATE_EMOJI[s.state]} ${headline(s)}`, LIMITS.sectionText) } }];
  const text = clip(`${s.caller} → ${s.called} on ${s.extension}: ${s.state}`, 3000);
  if (s.state === 'ended') {
    blocks.push({ type: 'context', block_id: `${s.id}.id`, elements: [{ type: 'mrkdwn', text: `Call ${code(s.id)} · the thread has its history` }] });
    return { text, blocks };
  }
  const room = Math.floor((LIMITS.messageBlocks - 3) / 2);
  for (const leg of s.legs.slice(0, room)) {
    blocks.push({
      type: 'context',
      block_id: `${s.id}.leg.${leg.id}`,
      elements: [{ type: 'mrkdwn', text: clip(`*${escapeMrkdwn(leg.id)}* ${escapeMrkdwn(leg.text)}`, LIMITS.sectionText) }],
    });
    const buttons = viewButtons(leg.view, { id: s.id, extension: s.extension }).slice(0, LIMITS.actionsElements);
    if (buttons.length) blocks.push({ type: 'actions', block_id: `${s.id}.actions.${leg.id}`, elements: buttons } satisfies ActionsBlock);
  }
  const hangup = CALL_ACTIONS.find((a) => a.name === 'hangup')!;
  const callButtons: Button[] = [
    { type: 'button', action_id: REFRESH_ACTION_ID, text: { type: 'plain_text', text: 'Refresh' }, value: JSON.stringify({ c: s.id, e: s.extension }) },
    {
      type: 'button',
      action_id: `call.${hangup.name}`,
      style: 'danger',
      text: { type: 'plain_text', text: hangup.label },
      value: JSON.stringify({ c: s.id, e: s.extension }),
      confirm: {
        title: { type: 'plain_text', text: `${hangup.label}?` },
        text: { type: 'plain_text', text: `This will ${hangup.summary}. Are you sure?` },
        confirm: { type: 'plain_text', text: hangup.label },
        deny: { type: 'plain_text', text: 'Cancel' },
        style: 'danger',
      },
    },
  ];
  blocks.push({ type: 'actions', block_id: `${s.id}.call`, elements: callButtons });
  return { text, blocks };
}

/** One message for a whole busy channel: a line per live call (caller, agent, state, since when). */
export function summaryMessage(calls: CallSnapshot[], note: string): SlackMessage {
  const lines = calls.map((s) => `${STATE_EMOJI[s.state]} ${code(s.caller)} · ${s.agents.map(code).join(', ') || code(s.called)} · ${s.state} since ${when(s.since)} · ${code(s.id)}`);
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: clip(`*${calls.length} live call(s)* · ${note}`, LIMITS.sectionText) } }];
  // Sections of up to ~2900 characters, at most 45 of them.
  let chunk = '';
  for (const line of lines) {
    if (chunk.length + line.length + 1 > 2900) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
      chunk = '';
      if (blocks.length >= LIMITS.messageBlocks - 2) break;
    }
    chunk += (chunk ? '\n' : '') + line;
  }
  if (chunk && blocks.length < LIMITS.messageBlocks - 1) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
  return { text: `${calls.length} live call(s)`, blocks };
}
