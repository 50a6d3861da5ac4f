/**
 * A PhoneCall as a Slack Block Kit card: pure functions, no Slack client.
 *
 * Every phoneCallView gets a section (state, caller id, source -> destination,
 * on hold since, parked, holder) and the buttons its state allows, from the
 * action table. Cards stay inside Block Kit's limits (../shared/slack/README.md):
 * at most 50 blocks, section text at most 3000 characters, button values at most
 * 2000; a call with more views than fit shows a note instead of failing.
 */
import { createHash } from 'node:crypto';
import type { ActionsBlock, Button, ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import type { PhoneCall, PhoneCallView } from '../uapi/schemas.js';
import { CALL_ACTIONS, type CallActionSpec } from './actions.js';
import { countOf, eventLine, extensionWords, route, viewState } from './describe.js';
import type { PhoneCallEvent } from '../uapi/schemas.js';

export const LIMITS = { messageBlocks: 50, sectionText: 3000, buttonText: 75, actionId: 255, buttonValue: 2000, actionsElements: 25 };

/** Escape text for mrkdwn: Slack's three control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A value shown verbatim (extension, number, caller id): inside a code span, so
 * the `*` of `0003*210` never turns into bold and `<3333>` never into a link.
 */
export function code(text: string): string {
  return `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;
}

/** Slack's date formatting, with the original text as fallback. */
export function slackDate(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return escapeMrkdwn(iso);
  return `<!date^${Math.floor(t / 1000)}^{date_short_pretty} {time_secs}|${escapeMrkdwn(iso)}>`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** What a button carries: which call and view it acts on. */
export interface CardTarget {
  call: string; // phoneCallId
  extension: string;
  view?: string; // phoneCallView id
}
export const ACTION_ID_PREFIX = 'call.';
export const REFRESH_ACTION_ID = 'call.refresh';

/**
 * A PBX id as a piece of a block_id or action_id: itself when it is short and
 * plain, otherwise a hash of it, so ids stay far below Slack's 255 characters
 * whatever the PBX sends (the button's value still carries the real id).
 */
export function idKey(id: string): string {
  return /^[A-Za-z0-9]{1,64}$/.test(id) ? id : `h${createHash('sha256').update(id).digest('hex').slice(0, 40)}`;
}

export function actionId(action: string, viewId?: string): string {
  return `${ACTION_ID_PREFIX}${action}${viewId ? `.${idKey(viewId)}` : ''}`;
}

export function parseActionId(id: string): { action: string; viewId?: string } | undefined {
  const m = /^call\.([a-z]+)(?:\.([A-Za-z0-9]+))?$/.exec(id);
  if (!m) return undefined;
  return m[2] ? { action: m[1]!, viewId: m[2] } : { action: m[1]! };
}

const STATE_EMOJI: Record<string, string> = {
  'on call': ':large_green_circle:',
  'on hold': ':double_vertical_bar:',
  parked: ':parking:',
  ringing: ':bell:',
  'other side is ringing': ':bell:',
  trying: ':hourglass_flowing_sand:',
  'off hook': ':telephone_receiver:',
};

export function viewText(v: PhoneCallView): string {
  const state = viewState(v);
  const lines = [`*View ${escapeMrkdwn(v.id)}* · ${code(v.extension ?? '?')} · ${STATE_EMOJI[state] ?? ':grey_question:'} ${state}`];
  lines.push(`${code(v.source.join(', ') || '?')} → ${code(v.destination.join(', ') || '?')}`);
  if (v.callerId) lines.push(`Caller ID ${code(v.callerId)}`);
  if (v.onHold !== undefined) lines.push(`On hold since ${slackDate(v.onHold)}${v.holder === 1 ? ' · held by this side' : ''}`);
  else if (v.holder === 1) lines.push('Held by this side');
  if (v.parked !== undefined) {
    const pos = v.parkedPos !== undefined ? ` at position ${v.parkedPos}` : '';
    lines.push(`Parked since ${slackDate(v.parked)}${pos}${v.parkedBy ? ` by ${code(v.parkedBy)}` : ''}`);
  }
  if (v.recording !== undefined) lines.push(`:red_circle: Recording since ${slackDate(v.recording)}`);
  return clip(lines.join('\n'), LIMITS.sectionText);
}

function button(spec: CallActionSpec, target: CardTarget): Button {
  const b: Button = {
    type: 'button',
    action_id: actionId(spec.name, target.view),
    text: { type: 'plain_text', text: spec.label },
    value: JSON.stringify(target),
  };
  if (spec.name === 'hangup') b.style = 'danger';
  if (spec.disruptive) {
    b.confirm = {
      title: { type: 'plain_text', text: `${spec.label}?` },
      text: { type: 'plain_text', text: `This will ${spec.summary}. Are you sure?` },
      confirm: { type: 'plain_text', text: spec.label },
      deny: { type: 'plain_text', text: 'Cancel' },
      style: 'danger',
    };
  }
  return b;
}

export function viewButtons(v: PhoneCallView, call: { id: string; extension: string }): Button[] {
  // A view is acted on through its own extension: the agent on it owns that one,
  // while the extension the call is charged to (a queue, say) may be someone else's.
  const target: CardTarget = { call: call.id, extension: v.extension ?? call.extension, view: v.id };
  // Hang up ends the whole call; it is offered once, in the call's own row.
  return CALL_ACTIONS.filter((a) => a.name !== 'hangup' && a.offeredOn(v)).map((a) => button(a, target));
}

export interface CardOptions {
  /** The extension the card was asked for (call.extension when absent). */
  extension: string;
  /** Context line: who did what, when. */
  note?: string;
  /** An action under way: shown instead of acting twice. */
  pending?: string;
}

/** A live call as a card. */
export function callCard(call: PhoneCall, opts: CardOptions): { text: string; blocks: KnownBlock[] } {
  const extension = call.extension ?? opts.extension;
  const head: SectionBlock = {
    type: 'section',
    block_id: blockId(call.id, 'head'),
    text: {
      type: 'mrkdwn',
      text: clip(
        `:telephone_receiver: *Call* ${code(call.id)} on ${code(extension)}` +
          (call.answered ? ` · answered ${slackDate(call.answered)}` : '') +
          (call.ownerName ? ` · ${escapeMrkdwn(call.ownerName)}` : ''),
        LIMITS.sectionText,
      ),
    },
  };
  const tail: KnownBlock[] = [];
  const callButtons: Button[] = [
    { type: 'button', action_id: REFRESH_ACTION_ID, text: { type: 'plain_text', text: 'Refresh' }, value: JSON.stringify({ call: call.id, extension } satisfies CardTarget) },
    button(CALL_ACTIONS.find((a) => a.name === 'hangup')!, { call: call.id, extension }),
  ];
  tail.push({ type: 'actions', block_id: blockId(call.id, 'call'), elements: callButtons } satisfies ActionsBlock);
  const context = [opts.pending && `:hourglass_flowing_sand: ${opts.pending}`, opts.note].filter(Boolean) as string[];
  if (context.length) {
    tail.push({ type: 'context', block_id: blockId(call.id, 'note'), elements: context.map((t) => ({ type: 'mrkdwn' as const, text: clip(t, LIMITS.sectionText) })) } satisfies ContextBlock);
  }

  // Two blocks per view; keep room for the head, the call row, the context and a note.
  const room = Math.floor((LIMITS.messageBlocks - 1 - tail.length - 1) / 2);
  const views = call.phoneCallView;
  const shown = views.slice(0, room);
  const body: KnownBlock[] = [];
  const seen = new Map<string, number>();
  for (const v of shown) {
    // Two views with one id (the PBX sent it twice) still get distinct block ids.
    const key = idKey(v.id);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const part = n === 0 ? key : `${key}.${n}`;
    body.push({ type: 'section', block_id: blockId(call.id, `view.${part}`), text: { type: 'mrkdwn', text: viewText(v) } });
    const buttons = viewButtons(v, { id: call.id, extension }).slice(0, LIMITS.actionsElements);
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
  return { text: clip(escapeMrkdwn(`Call ${call.id} on ${extension}: ${summary || 'no views'}`), 3000), blocks: [head, ...body, ...tail] };
}

/** Block ids carry the call id, so one message can hold several calls and a press replaces only its own. */
export function blockId(phoneCallId: string, part: string): string {
  return `${idKey(phoneCallId)}.${part}`;
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
  const note: ContextBlock = { type: 'context', block_id: blockId(phoneCallId, 'note'), elements: [{ type: 'mrkdwn', text: clip(text, LIMITS.sectionText) }] };
  const at = blocks.findIndex((b) => b.block_id === note.block_id);
  if (at >= 0) return [...blocks.slice(0, at), note, ...blocks.slice(at + 1)];
  const row = blocks.findIndex((b) => b.block_id === blockId(phoneCallId, 'call'));
  if (row < 0) return [...blocks, note];
  return [...blocks.slice(0, row + 1), note, ...blocks.slice(row + 1)];
}

/** The card of a call that has ended (hung up, or gone when refreshed). */
export function endedCard(phoneCallId: string, extension: string, note?: string): { text: string; blocks: KnownBlock[] } {
  const on = extension === '@self' ? '' : ` on ${code(extension)}`;
  const blocks: KnownBlock[] = [{ type: 'section', block_id: blockId(phoneCallId, 'head'), text: { type: 'mrkdwn', text: `:no_entry_sign: *Call* ${code(phoneCallId)}${on} has ended.` } }];
  if (note) blocks.push({ type: 'context', block_id: blockId(phoneCallId, 'note'), elements: [{ type: 'mrkdwn', text: clip(note, LIMITS.sectionText) }] });
  return { text: escapeMrkdwn(`Call ${phoneCallId}${extension === '@self' ? '' : ` on ${extension}`} has ended.`), blocks };
}

/** Several calls (a `list`): one card's worth of blocks, cut with a note at the limit. */
export function callListMessage(extension: string, calls: PhoneCall[]): { text: string; blocks: KnownBlock[] } {
  if (calls.length === 0) {
    const where = extension === '@self' ? 'your extensions' : code(extension);
    return { text: escapeMrkdwn(`No live calls on ${extensionWords(extension)}.`), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `No live calls on ${where}.` } }] };
  }
  // The same call listed twice would repeat its block ids: it is shown once.
  const unique = [...new Map(calls.map((c) => [c.id, c])).values()];
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${countOf(unique.length, 'live call')}* on ${extension === '@self' ? 'your extensions' : code(extension)}` } },
  ];
  let shown = 0;
  for (const call of unique) {
    const card = callCard(call, { extension }).blocks;
    if (blocks.length + card.length + 2 > LIMITS.messageBlocks) break;
    blocks.push({ type: 'divider' }, ...card);
    shown++;
  }
  if (shown < unique.length) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${countOf(unique.length - shown, 'more call')} not shown; use \`/call list <extension> <callId>\` for one call.` }],
    });
  }
  return { text: escapeMrkdwn(`${countOf(unique.length, 'live call')} on ${extensionWords(extension)}`), blocks };
}

export const EVENT_EDIT_ACTION_ID = 'event.edit';

/** Call events of an extension as a message, each with an Edit button. */
export function eventsMessage(summary: string, extension: string, events: PhoneCallEvent[]): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: clip(escapeMrkdwn(summary) + (events.length ? ':' : '.'), LIMITS.sectionText) } }];
  const room = LIMITS.messageBlocks - 2;
  for (const e of events.slice(0, room)) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(code(eventLine(e)), LIMITS.sectionText) },
      accessory: {
        type: 'button',
        action_id: `${EVENT_EDIT_ACTION_ID}.${idKey(e.id)}`,
        text: { type: 'plain_text', text: 'Edit' },
        value: JSON.stringify({ e: extension, t: e.type ?? 0, id: e.id }),
      },
    });
  }
  if (events.length > room) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${countOf(events.length - room, 'more event')} not shown; filter with \`/call events list ${escapeMrkdwn(extension)} <type>\`.` }],
    });
  }
  return { text: escapeMrkdwn(summary), blocks };
}
