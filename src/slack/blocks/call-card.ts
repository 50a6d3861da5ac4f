/**
 * A PhoneCall as a call card: the one renderer (card-render.ts) on a call card's surface
 * (every leg in full, the ids line, the notes), a call that has ended or is not read back yet
 * drawn by the same renderer, and the edits of one call's blocks inside a message.
 * Pure functions, no Slack client.
 */
import type { ContextBlock, KnownBlock } from '@slack/types';
import { type LegHint, type LegSnapshot, snapshotOf } from '../../board/snapshot.js';
import { viewState } from '../../calls/describe.js';
import type { PhoneCall, PhoneCallView } from '../../uapi/schemas.js';
import { legHintsOf } from '../cards/leg-hints.js';
import type { SlackMessage } from '../cards/slack-message.js';
import { legWords } from './call-headline.js';
import { type CardSurface, type UnreadCall, renderCard } from './card-render.js';
import { blockId, idKey } from './ids.js';
import { LIMITS, clip } from './limits.js';

/** One view in words, as a card's leg shows it (without knowing whether it is a supervisor's). */
export function viewText(v: PhoneCallView): string {
  const state = viewState(v);
  const leg: LegSnapshot = { id: v.id, text: '', state: state === 'on call' ? 'on call' : state === 'on hold' ? 'on hold' : state === 'parked' ? 'parked' : 'ringing', view: v };
  return clip(legWords(leg), LIMITS.sectionText);
}

export interface CardOptions {
  /** The extension the card was asked for (call.extension when absent). */
  extension: string;
  /** Context line: who did what, when. */
  note?: string;
  /** An action under way: shown instead of acting twice. */
  pending?: string;
  /** A private list's card: a "Post to channel" button shares it with the channel. */
  postable?: boolean;
  /**
   * A card in a channel (not a board, not a private view): the call's parties only, without
   * listen and whisper legs, so an agent's channel never shows that a supervisor listens.
   */
  partiesOnly?: boolean;
  /** What callops knows of the supervisor legs (default: what this process started). */
  hints?: readonly LegHint[];
}

/** The surface a call card is drawn on (card-render.ts), from its options. */
function callSurface(call: Pick<PhoneCall, 'ownerName'>, opts: CardOptions): CardSurface {
  return {
    legs: 'sections',
    silentLegs: !opts.partiesOnly,
    postable: Boolean(opts.postable),
    since: true,
    notes: [opts.pending && `:hourglass_flowing_sand: ${opts.pending}`, opts.note].filter((t): t is string => Boolean(t)),
    ids: call.ownerName ? { owner: call.ownerName } : {},
    legNotes: true,
    text: 'full',
  };
}

export type { UnreadCall };

/** A call as a card: a live call as read, or one without a read (ended, pending) with its note. */
export function callCard(call: PhoneCall | UnreadCall, opts: CardOptions): SlackMessage {
  if (!('phoneCallView' in call)) return renderCard(call, callSurface({}, opts));
  const extension = call.extension ?? opts.extension;
  return renderCard(snapshotOf(call, extension, opts.hints ?? legHintsOf(call.id)), callSurface(call, opts));
}

/** Replace the blocks of one call inside a message (a list) with its new card. */
export function replaceCallBlocks(blocks: KnownBlock[], phoneCallId: string, card: KnownBlock[]): KnownBlock[] {
  const mine = (b: KnownBlock) => typeof b.block_id === 'string' && b.block_id.startsWith(`${idKey(phoneCallId)}.`);
  const first = blocks.findIndex(mine);
  if (first < 0) return card;
  let last = first;
  while (last + 1 < blocks.length && mine(blocks[last + 1]!)) last++;
  return [...blocks.slice(0, first), ...card, ...blocks.slice(last + 1)];
}

/** Set the context note of one call inside a message (e.g. "working…" while an action runs). */
export function withNote(blocks: KnownBlock[], phoneCallId: string, text: string): KnownBlock[] {
  const note: ContextBlock = { type: 'context', block_id: blockId(phoneCallId, 'note'), elements: [{ type: 'mrkdwn', text: clip(text, LIMITS.contextText) }] };
  const at = blocks.findIndex((b) => b.block_id === note.block_id);
  if (at >= 0) return [...blocks.slice(0, at), note, ...blocks.slice(at + 1)];
  const row = blocks.findIndex((b) => b.block_id === blockId(phoneCallId, 'call'));
  if (row < 0) return [...blocks, note];
  return [...blocks.slice(0, row + 1), note, ...blocks.slice(row + 1)];
}
