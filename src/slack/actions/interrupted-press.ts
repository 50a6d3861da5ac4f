/**
 * A press a stopped process left running (its note in the outbox, card-notes.ts), drawn again
 * after the restart: the call is read with the pressing user's own link, the same read a press's
 * read-back makes, and the card shows it as it is now (or ended), with a note that the press was
 * interrupted so the user checks whether it happened. The card is drawn at its next version, so
 * the buttons it showed before are answered as out of date. When the read is not possible (the
 * user is no longer linked, the token is refused, the PBX does not answer in time) the answer is
 * false and the card is marked interrupted instead. A supervisor board's card is left to the
 * board, which draws its own cards from the PBX.
 */
import { findCallAction } from '../../calls/actions.js';
import type { Logger } from '../../log.js';
import type { PhoneCall } from '../../uapi/schemas.js';
import type { SlackBoard } from '../board/index.js';
import { callCard, replaceCallBlocks } from '../blocks/call-card.js';
import { parseActionId } from '../blocks/ids.js';
import type { InterruptedPress, PressedBy, RedrawCard } from '../cards/card-notes.js';
import type { CardPublisher } from '../cards/publish.js';
import type { RingFollowUp } from './followup.js';
import type { CallOperations } from './operations.js';
import type { Accounts } from '../users/accounts.js';

/** How long a restart waits for one call's read before it marks that card instead. */
export const REDRAW_READ_MS = 5_000;

export interface InterruptedPressDeps {
  accounts: Accounts;
  publisher: CardPublisher;
  operations: CallOperations;
  followUp: RingFollowUp;
  logger: Logger;
  board?: SlackBoard;
}

/** "<@U1>'s Hold", from the button the press named (a button callops does not know is "press"). */
function pressWords(by: PressedBy): string {
  const id = by.actionId ? parseActionId(by.actionId) : undefined;
  const label = id?.action === 'refresh' ? 'Refresh' : id ? findCallAction(id.action)?.label : undefined;
  return `<@${by.userId}>'s ${label ?? 'press'}`;
}

/** The note of a card drawn again after its press was interrupted. */
export function interruptedPressNote(by: PressedBy, time: string): string {
  return `:warning: ${pressWords(by)} was interrupted by a callops restart; the card shows the call as read again ${time}, so check whether it happened.`;
}

/** The call as the user's own link reads it now; undefined when it is gone. Throws when it cannot be read in time. */
async function readCall(deps: InterruptedPressDeps, press: InterruptedPress): Promise<PhoneCall | undefined> {
  const { client } = await deps.accounts.clientFor({ teamId: press.by.teamId, userId: press.by.userId });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`VoipNow did not answer within ${REDRAW_READ_MS} ms`)), REDRAW_READ_MS);
  });
  try {
    return await Promise.race([client.getPhoneCall({ extension: press.by.extension, phoneCallId: press.phoneCallId }), late]);
  } finally {
    clearTimeout(timer);
  }
}

export function redrawInterruptedPress(deps: InterruptedPressDeps): RedrawCard {
  return async (press) => {
    const teamId = press.card.teamId ?? press.by.teamId;
    if (await deps.board?.cardAt(teamId, press.card)) return false;
    const call = await readCall(deps, press).catch((err: unknown) => {
      deps.logger.info('could not read the call of an interrupted press', { call: press.phoneCallId, error: err instanceof Error ? err.message : String(err) });
      return false as const;
    });
    if (call === false) return false;
    const { extension } = press.by;
    const note = interruptedPressNote(press.by, deps.operations.time());
    const msg = callCard(call ?? { id: press.phoneCallId, extension, state: 'ended' }, { extension, note, partiesOnly: true });
    // A new state of the card: its next version, like a read-back's write.
    await deps.publisher.update({ teamId, channelId: press.card.channelId, ts: press.card.ts }, { text: msg.text, blocks: replaceCallBlocks(press.blocks, press.phoneCallId, msg.blocks) });
    if (call) deps.followUp.follow({ teamId: press.by.teamId, userId: press.by.userId }, call, extension, note);
    return true;
  };
}
