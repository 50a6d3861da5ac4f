/**
 * What the action pipeline tells the board (src/slack/pipeline.ts runs every press,
 * board cards included, as the presser): the audit line an action earns in a card's
 * thread, and the supervisor leg an action started, before the re-read shows it.
 * The board re-renders its cards through its own scheduler; nothing writes around it.
 */
import { callAction } from '../../calls/actions.js';
import type { UapiCommand } from '../../calls/execute.js';
import type { Board } from '../../board/board.js';
import type { LegHint } from '../../board/snapshot.js';

/** What an action did, in an audit line: "<@U1> put on hold the call: done". */
export function actionLine(userId: string, cmd: UapiCommand, result: { ok: true } | { ok: false; error: string }): string {
  const what = cmd.kind === 'action' ? callAction(cmd.action).did : cmd.kind;
  const view = cmd.kind === 'action' && cmd.viewId ? ` (view ${cmd.viewId})` : '';
  return result.ok
    ? `<@${userId}> ${what} the call${view}: done`
    : `<@${userId}> tried to ${cmd.kind === 'action' ? callAction(cmd.action).name : cmd.kind} the call${view}: ${result.error}`;
}

/** The supervisor leg an action started, if any (whisper, listen, barge in), so the card can say what it is. */
export function legHintOf(cmd: UapiCommand): LegHint | undefined {
  if (cmd.kind !== 'action' || !cmd.params.to) return undefined;
  const mode = cmd.action === 'whisper' ? 'whisper' : cmd.action === 'listen' ? 'listen' : cmd.action === 'barge' ? 'barge' : undefined;
  return mode ? { from: cmd.params.to, mode, ...(cmd.params.private === 1 && { private: true as const }) } : undefined;
}

/** Tell the board about a supervisor leg an action started (before the re-read that shows it). */
export function hintLeg(board: Board, cmd: UapiCommand, phoneCallId: string | undefined): void {
  const hint = legHintOf(cmd);
  if (phoneCallId && hint) board.hintLeg(phoneCallId, hint);
}
