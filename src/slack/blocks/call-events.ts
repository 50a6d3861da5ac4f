/**
 * VoipNow PhoneCallEvents of an extension as a message, each with an Edit
 * button whose value names what it carries: `{extension, type, id}`.
 */
import type { KnownBlock } from '@slack/types';
import { countOf, eventLine } from '../../calls/describe.js';
import type { PhoneCallEvent } from '../../uapi/schemas.js';
import { EVENT_EDIT_ACTION_ID, idKey } from './ids.js';
import { LIMITS, clip } from './limits.js';
import { code, escapeMrkdwn } from './mrkdwn.js';

/** What an event's Edit button carries. */
export interface EventButtonValue {
  extension: string;
  type: number;
  id: string;
}

/**
 * Reads an Edit button's value: the readable keys, or the one-letter keys
 * (`{e,t,id}`) of messages posted before they were renamed.
 */
export function readEventButton(raw: unknown): EventButtonValue | undefined {
  if (typeof raw !== 'string' || raw.length > LIMITS.buttonValue) return undefined;
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  const extension = v.extension ?? v.e;
  const type = v.type ?? v.t;
  const id = v.id;
  if (typeof extension !== 'string' || typeof id !== 'string' || typeof type !== 'number') return undefined;
  return { extension, type, id };
}

export function eventsMessage(summary: string, extension: string, events: PhoneCallEvent[]): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: clip(escapeMrkdwn(summary) + (events.length ? ':' : '.'), LIMITS.sectionText) } }];
  const room = LIMITS.messageBlocks - 2;
  for (const e of events.slice(0, room)) {
    const value: EventButtonValue = { extension, type: e.type ?? 0, id: e.id };
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(code(eventLine(e)), LIMITS.sectionText) },
      accessory: { type: 'button', action_id: `${EVENT_EDIT_ACTION_ID}.${idKey(e.id)}`, text: { type: 'plain_text', text: 'Edit' }, value: JSON.stringify(value) },
    });
  }
  if (events.length > room) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${countOf(events.length - room, 'more event')} not shown; filter with \`/call events list ${escapeMrkdwn(extension)} <type>\`.` }],
    });
  }
  return { text: clip(escapeMrkdwn(summary), LIMITS.messageText), blocks };
}
