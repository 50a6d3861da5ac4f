/**
 * The one renderer of a call's card, on every surface: a call card in a channel, a private
 * list's card, App Home's live panel, a supervisor board. It draws the board's model of a call
 * (CallSnapshot, board/snapshot.ts; a PhoneCall is turned into one by snapshotOf), or a call
 * callops has no read of (UnreadCall: ended, or pending an action's read-back); what differs
 * between surfaces is data (CardSurface): which buttons, whether supervisor legs are shown,
 * whether the card can be posted, its note lines.
 *
 * The headline says who is calling whom, the state and since when; each leg says what it is and
 * who is on it, with the buttons its state allows (a supervisor's whisper, listen or barge leg
 * gets none: they would act on the supervisor's own phone). Everything from the PBX is escaped
 * (mrkdwn.ts) or shown as code; block ids are built from the call's ids (ids.ts). Cards stay
 * inside Block Kit's limits (limits.ts): a call with more views than fit says so.
 */
import type { ContextBlock, KnownBlock } from '@slack/types';
import { type CallSnapshot, isSilentLeg } from '../../board/snapshot.js';
import { countOf, route, viewState } from '../../calls/describe.js';
import type { SlackMessage } from '../cards/slack-message.js';
import { callButtons, refreshButton, viewButtons } from './card-buttons.js';
import { STATE_EMOJI, headline, legWords, sinceWords } from './call-headline.js';
import { blockId, idKey } from './ids.js';
import { LIMITS, clip } from './limits.js';
import { code, escapeMrkdwn } from './mrkdwn.js';

/** What a surface shows of a call. */
export interface CardSurface {
  /** Each leg in full as its own section (a call card), or as one dense line (a board's). */
  legs: 'sections' | 'lines';
  /** Listen and whisper legs are drawn: boards and a supervisor's private views, never an agent's channel. */
  silentLegs: boolean;
  /** A "Post to channel" button: a private list's card shares the call with the channel. */
  postable: boolean;
  /** How long ago the state began, after the headline (a board's headline has its time already). */
  since: boolean;
  /** Context lines under the call's buttons (an action under way, who did what); callops' own mrkdwn. */
  notes: readonly string[];
  /** The ids line (call, extension, views, the call's owner as VoipNow names them); false: none. */
  ids: false | { owner?: string };
  /** Say when the call has no view yet, or more views than fit. */
  legNotes: boolean;
  /** The top-level text: the call in full (notifications, screen readers), or its headline's words. */
  text: 'full' | 'short';
  /** Under an ended call's headline, after its id (a board: its thread has the history). */
  endedLine?: string;
}

/**
 * A call drawn without a read of it: it has ended (hung up, or gone when read again), or an
 * action on it is not read back yet (pending: the notes say what happened, Refresh reads it).
 * '@self' as the extension: the user's own phone, not named.
 */
export interface UnreadCall {
  id: string;
  extension: string;
  state: 'ended' | 'pending';
}

/** A supervisor board's card: every leg in a line, supervisor legs included, no notes. */
export const BOARD_SURFACE: CardSurface = {
  legs: 'lines',
  silentLegs: true,
  postable: false,
  since: false,
  notes: [],
  ids: false,
  legNotes: false,
  text: 'short',
  endedLine: 'the thread has its history',
};

/** Numbers and extensions in code spans: the `*` of `0003*210` must not start bold text. */
function numbersAsCode(text: string): string {
  return text
    .split(/([+\d*#]{3,})/)
    .map((part, i) => (i % 2 ? code(part) : escapeMrkdwn(part)))
    .join('');
}

/** The top-level text (mrkdwn too): PBX values are escaped there as well. */
function topText(s: CallSnapshot, legs: CallSnapshot['legs'], surface: CardSurface): string {
  if (surface.text === 'short') return clip(escapeMrkdwn(`${s.caller} → ${s.called} on ${s.extension}: ${s.state}`), LIMITS.messageText);
  const summary = legs.map((l) => `${l.view.id} ${viewState(l.view)} ${route(l.view)}`).join('; ');
  return clip(escapeMrkdwn(`${s.caller} → ${s.called}: ${s.state} · call ${s.id} on ${s.extension}: ${summary || 'no views'}`), LIMITS.messageText);
}

/** The context line of a card's notes, under its call row; none without notes. */
function notesBlock(id: string, notes: readonly string[]): KnownBlock[] {
  if (!notes.length) return [];
  const elements = notes.slice(0, LIMITS.contextElements).map((t) => ({ type: 'mrkdwn' as const, text: clip(t, LIMITS.contextText) }));
  return [{ type: 'context', block_id: blockId(id, 'note'), elements } satisfies ContextBlock];
}

function headBlock(id: string, text: string): KnownBlock {
  return { type: 'section', block_id: blockId(id, 'head'), text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) } };
}

const PENDING_EMOJI = ':telephone_receiver:';

/** A call without a read: its id and extension in the headline, Refresh while pending, the notes. */
function renderUnread(c: UnreadCall, surface: CardSurface): SlackMessage {
  const named = c.extension !== '@self';
  const on = named ? ` on ${code(c.extension)}` : '';
  const ended = c.state === 'ended';
  const head = headBlock(c.id, ended ? `${STATE_EMOJI.ended} *Call* ${code(c.id)}${on} has ended.` : `${PENDING_EMOJI} *Call* ${code(c.id)}${on}`);
  const row: KnownBlock[] = ended ? [] : [{ type: 'actions', block_id: blockId(c.id, 'call'), elements: [refreshButton({ call: c.id, extension: c.extension })] }];
  const words = ended ? `Call ${c.id}${named ? ` on ${c.extension}` : ''} has ended.` : `Call ${c.id}`;
  const text = `${escapeMrkdwn(words)}${ended || !surface.notes.length ? '' : `: ${surface.notes.join(' · ')}`}`;
  return { text: clip(text, LIMITS.messageText), blocks: [head, ...row, ...notesBlock(c.id, surface.notes)] };
}

/** A call as a card on `surface`. Its buttons carry no version yet: the writer stamps it as the card is sent. */
export function renderCard(s: CallSnapshot | UnreadCall, surface: CardSurface): SlackMessage {
  if (!('legs' in s)) return renderUnread(s, surface);
  const legs = surface.silentLegs ? s.legs : s.legs.filter((l) => !isSilentLeg(l.mode));
  const head = headBlock(s.id, `${STATE_EMOJI[s.state]} ${headline(s)}${surface.since ? sinceWords(s) : ''}`);
  const text = topText(s, legs, surface);
  if (s.state === 'ended') {
    const line = `Call ${code(s.id)}${surface.endedLine ? ` · ${surface.endedLine}` : ''}`;
    return { text, blocks: [head, { type: 'context', block_id: blockId(s.id, 'id'), elements: [{ type: 'mrkdwn', text: clip(line, LIMITS.contextText) }] }] };
  }
  const tail: KnownBlock[] = [{ type: 'actions', block_id: blockId(s.id, 'call'), elements: callButtons(s, surface.postable) }, ...notesBlock(s.id, surface.notes)];
  if (surface.ids) {
    const views = legs.length ? ` · ${legs.length === 1 ? 'view' : 'views'} ${legs.map((l) => escapeMrkdwn(l.view.id)).join(', ')}` : '';
    const owner = surface.ids.owner ? ` · ${escapeMrkdwn(surface.ids.owner)}` : '';
    tail.push({
      type: 'context',
      block_id: blockId(s.id, 'ids'),
      elements: [{ type: 'mrkdwn', text: clip(`Call ${code(s.id)} on ${code(s.extension)}${views}${owner}`, LIMITS.contextText) }],
    });
  }

  // Two blocks per leg; keep room for the head, the tail and a note.
  const room = Math.floor((LIMITS.messageBlocks - 1 - tail.length - 1) / 2);
  const shown = legs.slice(0, room);
  const body: KnownBlock[] = [];
  const seen = new Map<string, number>();
  for (const leg of shown) {
    // Two views with one id (the PBX sent it twice) still get distinct block ids.
    const key = idKey(leg.id);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const part = n === 0 ? key : `${key}.${n}`;
    if (surface.legs === 'sections') {
      body.push({ type: 'section', block_id: blockId(s.id, `view.${part}`), text: { type: 'mrkdwn', text: clip(legWords(leg), LIMITS.sectionText) } });
    } else {
      body.push({
        type: 'context',
        block_id: blockId(s.id, `leg.${part}`),
        elements: [{ type: 'mrkdwn', text: clip(`*${escapeMrkdwn(leg.id)}* ${numbersAsCode(leg.text)}`, LIMITS.contextText) }],
      });
    }
    const buttons = viewButtons(leg.view, s, leg.mode);
    if (buttons.length) body.push({ type: 'actions', block_id: blockId(s.id, `actions.${part}`), elements: buttons });
  }
  if (surface.legNotes && legs.length === 0) body.push({ type: 'section', block_id: blockId(s.id, 'empty'), text: { type: 'mrkdwn', text: '_No views: the call may be setting up._' } });
  if (surface.legNotes && legs.length > shown.length) {
    const more = `${countOf(legs.length - shown.length, 'more view')} not shown (Slack allows ${LIMITS.messageBlocks} blocks per message). Use \`/call list ${escapeMrkdwn(s.extension)} ${escapeMrkdwn(s.id)}\` for the rest.`;
    body.push({ type: 'context', block_id: blockId(s.id, 'more'), elements: [{ type: 'mrkdwn', text: more }] });
  }
  return { text, blocks: [head, ...body, ...tail] };
}
