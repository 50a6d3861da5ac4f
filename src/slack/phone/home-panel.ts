/**
 * The linked user's call panel in App Home: the link status and extension, the
 * missed-call DM switch, their live calls drawn by the same card renderer as
 * every channel card (buttons as the call's state allows; their action ids
 * carry a `home.` prefix so a press is the panel's), their recent calls of the
 * last hours with Call back, and a note saying what the last press did. Pure.
 */
import type { Button, KnownBlock } from '@slack/types';
import type { EndedCall } from '../../board/line-calls.js';
import { durationWords } from '../../board/snapshot.js';
import type { LinkedAccount } from '../../store/types.js';
import type { PhoneCall } from '../../uapi/schemas.js';
import { callCard } from '../blocks/call-card.js';
import { LIMITS, clip } from '../blocks/limits.js';
import { code, escapeMrkdwn, slackDate } from '../blocks/mrkdwn.js';
import { callBackButton, callerWords } from './missed-call-message.js';

/** Prefix of the action ids of buttons in App Home (a press there acts, then redraws the panel). */
export const HOME_PREFIX = 'home.';
export const HOME_NOTIFY_ACTION_ID = 'home.notify';
/** How far back the recent calls go. */
export const RECENT_MS = 4 * 3600_000;
const MAX_RECENT = 8;
/** Block Kit allows 100 blocks in a Home view; room is kept for the rest of the panel. */
const MAX_VIEW_BLOCKS = 100;

export interface PanelInput {
  account: LinkedAccount;
  voipnowHost: string;
  /** Live calls on the user's extensions, or undefined with `callsError`. */
  calls?: PhoneCall[];
  /** mrkdwn, already escaped: why the calls could not be read. */
  callsError?: string;
  recent: EndedCall[];
  /** mrkdwn, already escaped: what the last press in the panel did. */
  note?: string;
}

/** A card's buttons, renamed into the panel's own action ids. */
function homeButtons(blocks: KnownBlock[]): KnownBlock[] {
  return blocks.map((b) => {
    if (b.type !== 'actions') return b;
    return { ...b, elements: b.elements.map((e) => ('action_id' in e && typeof e.action_id === 'string' ? { ...e, action_id: `${HOME_PREFIX}${e.action_id}` } : e)) } as KnownBlock;
  });
}

function recentLine(c: EndedCall): KnownBlock {
  const arrow = c.direction === 'in' ? (c.answered ? ':arrow_lower_left:' : ':x:') : ':arrow_upper_right:';
  const what = c.direction === 'in' ? (c.answered ? 'answered' : '*missed*') : 'outgoing';
  const seconds = (Date.parse(c.endedAt) - Date.parse(c.startedAt)) / 1000;
  const text = `${arrow} ${callerWords(c.party, c.number)} · ${what} · ${slackDate(c.startedAt, '{time}')}${Number.isNaN(seconds) ? '' : ` · ${durationWords(seconds)}`}`;
  const block: KnownBlock = { type: 'section', block_id: `recent.${c.phoneCallId}`.slice(0, 255), text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) } };
  if (c.number) block.accessory = callBackButton(c.number, c.extension);
  return block;
}

export function callPanel(p: PanelInput): KnownBlock[] {
  const { account } = p;
  const ext = account.extension ? ` · extension ${code(account.extension)}` : ' · no extension linked (`/call link <your extension>`)';
  const dmsOn = account.missedCallDms !== false;
  const toggle: Button = {
    type: 'button',
    action_id: HOME_NOTIFY_ACTION_ID,
    text: { type: 'plain_text', text: dmsOn ? 'Turn missed-call DMs off' : 'Turn missed-call DMs on' },
    value: dmsOn ? 'off' : 'on',
    ...(dmsOn ? {} : { style: 'primary' as const }),
  };
  const head: KnownBlock[] = [
    { type: 'section', block_id: 'home.link', text: { type: 'mrkdwn', text: `:white_check_mark: Linked to VoipNow (${escapeMrkdwn(p.voipnowHost)})${ext}. \`/call unlink\` unlinks.` } },
    {
      type: 'section',
      block_id: 'home.notify',
      text: {
        type: 'mrkdwn',
        text: dmsOn ? ':bell: Missed-call DMs are *on*: a call that rings on your extension unanswered gets a DM with Call back.' : ':no_bell: Missed-call DMs are *off*.',
      },
      accessory: toggle,
    },
  ];
  if (p.note) head.push({ type: 'context', block_id: 'home.note', elements: [{ type: 'mrkdwn', text: clip(p.note, LIMITS.contextText) }] });
  head.push({ type: 'divider' });

  const recent: KnownBlock[] = [{ type: 'divider' }, { type: 'section', block_id: 'home.recent', text: { type: 'mrkdwn', text: '*Recent calls* (last 4 hours)' } }];
  if (p.recent.length === 0) recent.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'None seen since callops started reading your extension.' }] });
  const once = p.recent.filter((c, i) => p.recent.findIndex((x) => x.phoneCallId === c.phoneCallId) === i);
  for (const c of once.slice(0, MAX_RECENT)) recent.push(recentLine(c));

  const live: KnownBlock[] = [];
  if (p.callsError) live.push({ type: 'section', block_id: 'home.error', text: { type: 'mrkdwn', text: `:warning: ${p.callsError}` } });
  else if (!p.calls?.length) live.push({ type: 'section', block_id: 'home.none', text: { type: 'mrkdwn', text: 'No live calls on your extensions right now.' } });
  else {
    live.push({ type: 'section', block_id: 'home.live', text: { type: 'mrkdwn', text: `*Your live calls* (${p.calls.length})` } });
    const room = MAX_VIEW_BLOCKS - head.length - recent.length - live.length - 4;
    let shown = 0;
    for (const call of p.calls) {
      const card = homeButtons(callCard(call, { extension: call.extension ?? account.extension ?? '@self' }).blocks);
      if (live.length - 1 + card.length > room) break;
      live.push(...card);
      shown++;
    }
    if (shown < p.calls.length) live.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${p.calls.length - shown} more; use \`/call list\`.` }] });
  }
  return [...head, ...live, ...recent];
}
