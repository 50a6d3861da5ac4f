/**
 * The ids of a card's blocks and buttons, and what a button carries: which
 * call and view it acts on. Ids stay far below Block Kit's 255 characters
 * whatever the PBX sends (limits.ts).
 */
import { createHash } from 'node:crypto';

/** What a button carries: which call and view it acts on, and the version of the card it was drawn on (card-version.ts). */
export interface CardTarget {
  call: string; // phoneCallId
  extension: string;
  view?: string; // phoneCallView id
  version?: number;
}
export const ACTION_ID_PREFIX = 'call.';
export const REFRESH_ACTION_ID = 'call.refresh';
/** A private list's button that posts one call's card to the channel. */
export const POST_ACTION_ID = 'call.post';
export const EVENT_EDIT_ACTION_ID = 'event.edit';

/**
 * A PBX id as a piece of a block_id or action_id: itself when it is short and
 * plain, otherwise a hash of it (the button's value still carries the real id).
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

/** Block ids carry the call id, so one message can hold several calls and a press replaces only its own. */
export function blockId(phoneCallId: string, part: string): string {
  return `${idKey(phoneCallId)}.${part}`;
}
