/**
 * What the action pipeline tells the board (src/slack/pipeline.ts runs every press,
 * board cards included, as the presser): the audit line an action earns in a card's
 * thread (the supervisor leg an action started is leg-hints.ts's `legHintOf`).
 * The board re-renders its cards through its own scheduler; nothing writes around it.
 */
import { callAction } from '../../calls/actions.js';
import type { UapiCommand } from '../../calls/execute.js';

/** What an action did, in an audit line: "<@U1> put on hold the call: done". */
export function actionLine(userId: string, cmd: UapiCommand, result: { ok: true } | { ok: false; error: string }): string {
  const what = cmd.kind === 'action' ? callAction(cmd.action).did : cmd.kind;
  const view = cmd.kind === 'action' && cmd.viewId ? ` (view ${cmd.viewId})` : '';
  return result.ok
    ? `<@${userId}> ${what} the call${view}: done`
    : `<@${userId}> tried to ${cmd.kind === 'action' ? callAction(cmd.action).name : cmd.kind} the call${view}: ${result.error}`;
}
