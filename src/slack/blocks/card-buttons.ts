/**
 * A card's buttons, from the action table: what each leg's state offers, and the call's own
 * row (Post to channel on a private list, Refresh, Hang up). Values carry only our own ids
 * (a CardTarget); the card's version is stamped on them when the card is sent (card-version.ts).
 */
import type { Button } from '@slack/types';
import type { LegSnapshot } from '../../board/snapshot.js';
import { CALL_ACTIONS } from '../../calls/actions.js';
import type { CallActionSpec } from '../../calls/action-spec.js';
import type { PhoneCallView } from '../../uapi/schemas.js';
import { type CardTarget, POST_ACTION_ID, REFRESH_ACTION_ID, actionId } from './ids.js';
import { LIMITS, clip } from './limits.js';

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

/** Refresh: read the call again and draw its card anew. */
export function refreshButton(target: CardTarget): Button {
  return { type: 'button', action_id: REFRESH_ACTION_ID, text: { type: 'plain_text', text: 'Refresh' }, value: JSON.stringify(target) };
}

/** The call's own row: Post to channel (a private list's card), Refresh, Hang up. */
export function callButtons(call: { id: string; extension: string }, postable: boolean): Button[] {
  const target: CardTarget = { call: call.id, extension: call.extension };
  const row: Button[] = [];
  if (postable) row.push({ type: 'button', action_id: POST_ACTION_ID, style: 'primary', text: { type: 'plain_text', text: 'Post to channel' }, value: JSON.stringify(target) });
  row.push(refreshButton(target), hangupButton(target));
  return row;
}
