/**
 * A PhoneCall as a Slack Block Kit card: pure functions, no Slack client.
 *
 * The headline says who is calling whom, the state and for how long (the
 * board's description of a call, board/snapshot.ts); each leg says what it is
 * and who is on it, with the buttons its state allows from the action table (a
 * supervisor's whisper, listen or barge leg gets none: they would act on the
 * supervisor's own phone); the call's ids go to a small context line. Cards
 * stay inside Block Kit's limits (limits.ts); a call with more views than fit
 * shows a note instead of failing.
 */
import type { ActionsBlock, Button, ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import { type LegHint, type LegSnapshot, isSilentLeg, snapshotOf } from '../../board/snapshot.js';
import { CALL_ACTIONS } from '../../calls/actions.js';
import type { CallActionSpec } from '../../calls/action-spec.js';
import { countOf, route, viewState } from '../../calls/describe.js';
import type { PhoneCall, PhoneCallView } from '../../uapi/schemas.js';
import { legHintsOf } from '../cards/leg-hints.js';
import { STATE_EMOJI, headline, legWords, sinceWords } from './call-headline.js';
import { type CardTarget, POST_ACTION_ID, REFRESH_ACTION_ID, actionId, blockId, idKey } from './ids.js';
import { LIMITS, clip } from './limits.js';
import { code, escapeMrkdwn } from './mrkdwn.js';

/** One view in words, as a card's leg shows it (without knowing whether it is a supervisor's). */
export function viewText(v: PhoneCallView): string {
  const state = viewState(v);
  const leg: LegSnapshot = { id: v.id, text: '', state: state === 'on call' ? 'on call' : state === 'on hold' ? 'on hold' : state === 'parked' ? 'parked' : 'ringing', view: v };
  return clip(legWords(leg), LIMITS.sectionText);
}

function button(spec: CallActionSpec, target: CardTarget): Button {
  const b: Button = {
    type: 'button',
    action_id: actionId(spec.name, target.view),
    text: { type: 'plain_text', text: clip(spec.label, LIMITS.buttonText) },
    value: JSON.stringify(target),
  };
  if (spec.name === 'hangup') b.style = 'danger';
  if (spec.disruptive) b.confirm = confirmOf(spec);
  return b;
}

/** Slack's confirmation dialog for a disruptive action. */
export function confirmOf(spec: CallActionSpec): NonNullable<Button['confirm']> {
  return {
    title: { type: 'plain_text', text: clip(`${spec.label}?`, LIMITS.confirmTitle) },
    text: { type: 'plain_text', text: clip(`This will ${spec.summary}. Are you sure?`, LIMITS.confirmText) },
    confirm: { type: 'plain_text', text: clip(spec.label, LIMITS.buttonText) },
    deny: { type: 'plain_text', text: 'Cancel' },
    style: 'danger',
  };
}

/** The hang-up button of a whole call (offered once, in the call's own row). */
export function hangupButton(target: CardTarget): Button {
  return button(CALL_ACTIONS.find((a) => a.name === 'hangup')!, target);
}

/**
 * The buttons a view offers. A supervisor's leg (`mode`) gets none: Whisper or
 * Park there would act on the supervisor's own phone, not on the conversation.
 */
export function viewButtons(v: PhoneCallView, call: { id: string; extension: string }, mode?: LegSnapshot['mode']): Button[] {
  if (mode) return [];
  // A view is acted on through its own extension: the agent on it owns that one,
  // while the extension the call is charged to (a queue, say) may be someone else's.
  const target: CardTarget = { call: call.id, extension: v.extension ?? call.extension, view: v.id };
  // Hang up ends the whole call; it is offered once, in the call's own row.
  return CALL_ACTIONS.filter((a) => a.name !== 'hangup' && a.offeredOn(v))
    .map((a) => button(a, target))
    .slice(0, LIMITS.actionsElements);
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

/** A live call as a card. */
export function callCard(call: PhoneCall, opts: CardOptions): { text: string; blocks: KnownBlock[] } {
  const extension = call.extension ?? opts.extension;
  const all = snapshotOf(call, extension, opts.hints ?? legHintsOf(call.id));
  const s = opts.partiesOnly ? { ...all, legs: all.legs.filter((l) => !isSilentLeg(l.mode)) } : all;
  const head: SectionBlock = {
    type: 'section',
    block_id: blockId(call.id, 'head'),
    text: { type: 'mrkdwn', text: clip(`${STATE_EMOJI[s.state]} ${headline(s)}${sinceWords(s)}`, LIMITS.sectionText) },
  };
  const tail: KnownBlock[] = [];
  const callButtons: Button[] = [];
  if (opts.postable) {
    callButtons.push({
      type: 'button',
      action_id: POST_ACTION_ID,
      style: 'primary',
      text: { type: 'plain_text', text: 'Post to channel' },
      value: JSON.stringify({ call: call.id, extension } satisfies CardTarget),
    });
  }
  callButtons.push(
    {
      type: 'button',
      action_id: REFRESH_ACTION_ID,
      text: { type: 'plain_text', text: 'Refresh' },
      value: JSON.stringify({ call: call.id, extension } satisfies CardTarget),
    },
    hangupButton({ call: call.id, extension }),
  );
  tail.push({ type: 'actions', block_id: blockId(call.id, 'call'), elements: callButtons } satisfies ActionsBlock);
  const context = [opts.pending && `:hourglass_flowing_sand: ${opts.pending}`, opts.note].filter(Boolean) as string[];
  if (context.length) {
    tail.push({
      type: 'context',
      block_id: blockId(call.id, 'note'),
      elements: context.slice(0, LIMITS.contextElements).map((t) => ({ type: 'mrkdwn' as const, text: clip(t, LIMITS.contextText) })),
    } satisfies ContextBlock);
  }
  const views = s.legs.map((l) => l.view);
  const ids = `Call ${code(call.id)} on ${code(extension)}${views.length ? ` · ${views.length === 1 ? 'view' : 'views'} ${views.map((v) => escapeMrkdwn(v.id)).join(', ')}` : ''}${call.ownerName ? ` · ${escapeMrkdwn(call.ownerName)}` : ''}`;
  tail.push({ type: 'context', block_id: blockId(call.id, 'ids'), elements: [{ type: 'mrkdwn', text: clip(ids, LIMITS.contextText) }] } satisfies ContextBlock);

  // Two blocks per view; keep room for the head, the call row, the context lines and a note.
  const room = Math.floor((LIMITS.messageBlocks - 1 - tail.length - 1) / 2);
  const shown = s.legs.slice(0, room);
  const body: KnownBlock[] = [];
  const seen = new Map<string, number>();
  for (const leg of shown) {
    // Two views with one id (the PBX sent it twice) still get distinct block ids.
    const key = idKey(leg.id);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const part = n === 0 ? key : `${key}.${n}`;
    body.push({ type: 'section', block_id: blockId(call.id, `view.${part}`), text: { type: 'mrkdwn', text: clip(legWords(leg), LIMITS.sectionText) } });
    const buttons = viewButtons(leg.view, { id: call.id, extension }, leg.mode);
    if (buttons.length) body.push({ type: 'actions', block_id: blockId(call.id, `actions.${part}`), elements: buttons });
  }
  if (views.length === 0) body.push({ type: 'section', block_id: blockId(call.id, 'empty'), text: { type: 'mrkdwn', text: '_No views: the call may be setting up._' } });
  if (views.length > shown.length) {
    body.push({
      type: 'context',
      block_id: blockId(call.id, 'more'),
      elements: [
        {
          type: 'mrkdwn',
          text: `${countOf(views.length - shown.length, 'more view')} not shown (Slack allows ${LIMITS.messageBlocks} blocks per message). Use \`/call list ${escapeMrkdwn(extension)} ${escapeMrkdwn(call.id)}\` for the rest.`,
        },
      ],
    });
  }
  const summary = views.map((v) => `${v.id} ${viewState(v)} ${route(v)}`).join('; ');
  // The top-level text is mrkdwn too (notifications, screen readers): PBX values are escaped there as well.
  const text = `${s.caller} → ${s.called}: ${s.state} · call ${call.id} on ${extension}: ${summary || 'no views'}`;
  return { text: clip(escapeMrkdwn(text), LIMITS.messageText), blocks: [head, ...body, ...tail] };
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

/** The card of a call that has ended (hung up, or gone when refreshed). */
export function endedCard(phoneCallId: string, extension: string, note?: string): { text: string; blocks: KnownBlock[] } {
  const on = extension === '@self' ? '' : ` on ${code(extension)}`;
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: blockId(phoneCallId, 'head'), text: { type: 'mrkdwn', text: clip(`:no_entry_sign: *Call* ${code(phoneCallId)}${on} has ended.`, LIMITS.sectionText) } },
  ];
  if (note) blocks.push({ type: 'context', block_id: blockId(phoneCallId, 'note'), elements: [{ type: 'mrkdwn', text: clip(note, LIMITS.contextText) }] });
  return { text: clip(escapeMrkdwn(`Call ${phoneCallId}${extension === '@self' ? '' : ` on ${extension}`} has ended.`), LIMITS.messageText), blocks };
}
