/** Where the board's writes go (the Slack side) and how a card and a stored write intent are named. */
import type { CallSnapshot } from './snapshot.js';

/** One call's card on one channel's board. */
export interface CardRef {
  teamId: string;
  channelId: string;
  phoneCallId: string;
}

/**
 * The stored write intent a write delivers (the store's outbox): the front end reports it
 * delivered once Slack accepted it. `attempted`: a delivery had started before (Slack may have
 * taken it), so the front end looks for the message before writing it again.
 */
export interface IntentRef {
  key: string;
  version: number;
  attempted: boolean;
}

/** Where the board's writes go (the Slack side: a rate-limit-aware scheduler). */
export interface BoardOutput {
  /**
   * The latest state of a card; `messageTs` when it was already posted. `drawnAt`: the card's
   * version stored with this state (see `shows`); without it the front end draws the next one itself.
   */
  card(ref: CardRef, snapshot: CallSnapshot, messageTs: string | undefined, intent?: IntentRef, drawnAt?: number): void;
  /**
   * What a posted card of this state shows, in a line: stored with the card's next version in
   * the change's own commit. Undefined: the card will not be written (the commit draws nothing).
   */
  shows?(ref: CardRef, snapshot: CallSnapshot): string | undefined;
  /**
   * One audit line for the card's thread (`messageTs`: the card's message, known after a restart).
   * Plain text with PBX values in it, to be escaped by the front end; `own`: a line the front
   * end wrote itself (given to `afterAction`), in its own markup.
   */
  audit(ref: CardRef, line: string, messageTs?: string, own?: boolean, intent?: IntentRef): void;
  /** An escalation for the card's thread (plain text with PBX values in it); level 2 is also broadcast. */
  alert(ref: CardRef, text: string, level: 1 | 2, messageTs?: string, intent?: IntentRef): void;
  /** A message to the channel itself (or a user id: a direct message), in the front end's markup (callops' own text only). */
  notice(teamId: string, channelId: string, text: string): void;
  /** Drops the writes to this channel not made yet (its board paused: they would only be refused). */
  forget?(teamId: string, channelId: string): void;
}
