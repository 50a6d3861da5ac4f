/**
 * A button pressed on a board card: the action runs as the presser (their own
 * token, the role check), its result or error becomes a line in the card's
 * thread, and the board re-reads the call and re-renders the card through its
 * scheduler (board cards are never written around it). A refresh is a re-read.
 */
import type { RespondFn } from '@slack/bolt';
import { callAction } from '../../calls/actions.js';
import type { UapiCommand } from '../../calls/execute.js';
import { failureText } from '../../calls/respond.js';
import type { Board, CardRef } from '../../board/board.js';
import type { SlackUser } from '../accounts.js';
import type { SlackDeps } from '../deps.js';
import { actionKey } from '../operations.js';
import { failureReply } from '../replies.js';
import type { Respond } from '../publish.js';

/** What an action did, in an audit line: "<@U1> put on hold the call: done". */
export function actionLine(userId: string, cmd: UapiCommand, result: { ok: true } | { ok: false; error: string }): string {
  const what = cmd.kind === 'action' ? callAction(cmd.action).did : cmd.kind;
  const view = cmd.kind === 'action' && cmd.viewId ? ` (view ${cmd.viewId})` : '';
  return result.ok ? `<@${userId}> ${what} the call${view}: done` : `<@${userId}> tried to ${cmd.kind === 'action' ? callAction(cmd.action).name : cmd.kind} the call${view}: ${result.error}`;
}

/** Tell the board about a supervisor leg an action started (before the re-read that shows it). */
export function hintLeg(board: Board, cmd: UapiCommand, phoneCallId: string | undefined): void {
  if (cmd.kind !== 'action' || !phoneCallId || !cmd.params.to) return;
  const mode = cmd.action === 'whisper' ? 'whisper' : cmd.action === 'listen' ? 'listen' : cmd.action === 'barge' ? 'barge' : undefined;
  if (mode) board.hintLeg(phoneCallId, { from: cmd.params.to, mode, ...(cmd.params.private === 1 && { private: true }) });
}

export async function runOnBoardCard(deps: SlackDeps, user: SlackUser, cmd: UapiCommand, ref: CardRef, respond?: RespondFn | Respond): Promise<void> {
  const board = deps.board!.board;
  if (cmd.kind !== 'action') {
    board.afterAction(ref, undefined);
    return;
  }
  try {
    hintLeg(board, cmd, ref.phoneCallId);
    const outcome = await deps.operations.once(actionKey(user, cmd), () => deps.operations.execute(user, cmd));
    if (!outcome) {
      await respond?.({ response_type: 'ephemeral', replace_original: false, text: 'That action is already running on this call; wait for it to finish.' });
      return;
    }
    board.afterAction(ref, actionLine(user.userId, cmd, { ok: true }));
  } catch (err) {
    board.afterAction(ref, actionLine(user.userId, cmd, { ok: false, error: failureText(err) }));
    await respond?.(await failureReply(deps, user, err, ref.channelId));
  }
}
