/**
 * The board's durable outbox: every write the board owes Slack (a card's post or update, an
 * audit line in its thread, an alert) is stored as an intent in the same transaction as the
 * state change that causes it (the card's snapshot, its audit entry, its alert memory). A crash
 * at any point leaves either both or neither; whatever is stored and not yet delivered is
 * delivered on the next start (at least once, made idempotent by the intent's stable key).
 */
import type { AuditEntry, BoardCard, BoardCardMemory, BoardFence } from './records.js';

/**
 * What an intent writes: a board card (post, then updates; latest state wins), a thread line, an
 * alert; or a note: a pressed card shows "working…" until its press is done (nothing to deliver,
 * but a note left behind by a dead process is marked interrupted on the next start).
 */
export type IntentKind = 'card' | 'line' | 'alert' | 'note';

/** A write intent as the board commits it. */
export interface NewIntent {
  /** Stable over replays: one intent per key (a card's key is replaced by its newer state). */
  key: string;
  teamId: string;
  channelId: string;
  phoneCallId: string;
  kind: IntentKind;
  /** Order among the intents of one card (a line's audit seq; 0 for the card itself). */
  seq: number;
  /** What to write (opaque JSON owned by the board). */
  payload: string;
  createdAt: Date;
}

/** A stored intent. */
export interface OutboxIntent extends NewIntent {
  /** Grows by one each time the key is committed again; a delivery counts only for the version it wrote. */
  version: number;
  /** A delivery was started (Slack may have taken it): a replay looks in Slack before writing again. A note: when its press last showed it still runs. */
  attemptedAt?: Date;
  /** The message Slack answered with (a card's, kept across its newer versions). */
  messageTs?: string;
  /** Set once Slack accepted this version. */
  deliveredAt?: Date;
}

/** One state change of the board and the writes it causes, stored together or not at all. */
export interface BoardChange {
  /** Upserted (a known message ts is never cleared by an upsert that lacks it). */
  card?: BoardCard;
  /** The card's memory (alert episode, supervisor legs), saved with it. */
  memory?: BoardCardMemory;
  audit?: AuditEntry[];
  intents: NewIntent[];
  /**
   * The card's message is drawn with this state at its next version (the card's `messageTs`
   * must be known): `shows` is its headline, kept with the version (the card versions' store).
   */
  draw?: { shows: string };
}

/** A stored change: the new version of each of its intents by key, and the card's version when it was drawn. */
export type CommittedChange = Map<string, number> & { cardVersion?: number };

/** The message a change draws at its card's next version, if it draws one (a posted card's new state). */
export function drawnMessage(change: BoardChange): { channelId: string; messageTs: string; shows: string; at: Date } | undefined {
  const c = change.card;
  if (!change.draw || !c?.messageTs) return undefined;
  return { channelId: c.channelId, messageTs: c.messageTs, shows: change.draw.shows, at: c.updatedAt };
}

/** A delivery Slack accepted. */
export interface Delivery {
  key: string;
  version: number;
  /** The message Slack answered with; for a card also recorded on its board card. */
  messageTs?: string;
  at: Date;
}

export interface OutboxStore {
  /**
   * Atomically stores the change and its intents (each pending again, version + 1) and, with
   * `draw`, the card's next version; answers the intents' new versions by key (and the card's
   * version), or undefined when a newer board holder's fence refused it (nothing stored then).
   */
  commitBoardChange(change: BoardChange, fence?: BoardFence): Promise<CommittedChange | undefined>;
  /** Intents not yet delivered, oldest first (by createdAt, then seq, then key). */
  pendingIntents(): Promise<OutboxIntent[]>;
  getIntent(key: string): Promise<OutboxIntent | undefined>;
  /** Before a write that creates a message: from now on a replay looks for it in Slack first. */
  markAttempted(keys: readonly string[], at: Date): Promise<void>;
  /**
   * Slack accepted a write: its message ts is recorded (always), and the intent is delivered when
   * `version` is still its latest (false: a newer version is pending). Delivered lines and alerts
   * are removed; a card's intent stays (it carries the card's message ts) until its card ends.
   */
  recordDelivery(d: Delivery): Promise<boolean>;
  /** A press's note is done: it goes (one statement; nothing was owed to Slack). */
  dropNote(key: string): Promise<void>;
}
