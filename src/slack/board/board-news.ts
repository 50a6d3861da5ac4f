/**
 * What the board does with news from any replica (its own, or one handed over the holder's
 * queue, holder.ts): a PhoneCallEvent, an action on a call it shows starting, done or failed,
 * a line on a card, a change of the watches.
 */
import type { Board } from '../../board/board.js';
import type { BoardMessage } from './holder.js';

/** The board, running here, acts on one piece of news. */
export async function applyNews(board: Board, m: BoardMessage): Promise<void> {
  switch (m.kind) {
    case 'event':
      // A watch set through another replica may not be taken in yet: sync, then read.
      if (!(await board.eventArrived(m.secret))) {
        await board.sync();
        await board.eventArrived(m.secret);
      }
      return;
    case 'action':
      if (m.hint) board.hintLeg(m.phoneCallId, m.hint);
      // A completed action: its line tells the change (with its read-back, the card's new state too).
      board.actionDone(m);
      return;
    case 'acting':
      if (m.ended) board.actionEnded(m.phoneCallId, m.actionId);
      else board.actionStarted(m.phoneCallId, m.actionId);
      return;
    case 'note':
      board.afterAction({ teamId: m.teamId, channelId: m.channelId, phoneCallId: m.phoneCallId }, m.line, false, m.actionId);
      return;
    case 'sync':
      await board.sync();
      return;
  }
}
