/**
 * A card pressed shows a passing note ("working…") until the action's result replaces it. The
 * note is part of the card's state: it is recorded in the store's outbox while the press runs
 * and removed when it is done, so a process that dies in between (SIGKILL, a crash) leaves a
 * record behind, and the next start marks that card "interrupted" instead of leaving it
 * "working…" for good. With replicas another live replica may still be working on a note, so
 * a running press touches its note every few seconds (the row's `attempted_at`), and a note is
 * taken as abandoned only once it has not been touched for several of those.
 *
 * A note also says who pressed (their Slack team and user, and the call's extension; never a
 * token), so the card it left can be drawn again with the call as that user's own link reads it
 * now (the `RedrawCard` the app gives the sweep). When that read is not possible (the user
 * unlinked, the token is refused, the PBX does not answer), or the note predates this, the card
 * is marked interrupted instead, asking for a Refresh.
 */
import type { KnownBlock } from '@slack/types';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../log.js';
import type { NewIntent, OutboxIntent, OutboxStore } from '../../store/outbox.js';
import { withNote } from '../blocks/call-card.js';
import type { SlackMessage } from './slack-message.js';

/** Who pressed, on which extension's call: enough to read the call again with that user's own link. */
export interface PressedBy {
  teamId: string;
  userId: string;
  extension: string;
  /** The button pressed, as the press named it (only ever looked up, never shown). */
  actionId?: string;
}

/** The card a press was made on, as the press's body showed it. */
export interface PressedCard {
  teamId?: string;
  channelId: string;
  ts: string;
  blocks: KnownBlock[];
  phoneCallId: string;
  by?: PressedBy;
}

/** A press a stopped process left running, with who made it. */
export interface InterruptedPress {
  card: { teamId?: string; channelId: string; ts: string };
  blocks: KnownBlock[];
  phoneCallId: string;
  by: PressedBy;
}

/**
 * Draws the card of an interrupted press again with the call as it is now; false (or a throw)
 * when it could not, and the card is then marked interrupted.
 */
export type RedrawCard = (press: InterruptedPress) => Promise<boolean>;

export const INTERRUPTED_NOTE = ':warning: Interrupted by a callops restart; press Refresh to see the call as it is now.';

/** The card a press left working, marked interrupted. */
export function interruptedCard(blocks: KnownBlock[], phoneCallId: string): SlackMessage {
  return { text: 'Interrupted by a restart', blocks: withNote(blocks, phoneCallId, INTERRUPTED_NOTE) };
}

/** Writes a card in place (through the card writer, like every card write). */
export type MarkCard = (card: { teamId?: string; channelId: string; ts: string }, msg: SlackMessage) => Promise<unknown>;

interface NotePayload {
  ts: string;
  blocks: KnownBlock[];
  /** Absent in notes written before presses were redrawn. */
  by?: PressedBy;
}

const NOTE_PREFIX = 'note|';

/** How often a running press touches its note. */
export const NOTE_HEARTBEAT_MS = 2_000;
/** A note not touched for this long was left by a process that stopped (several touches missed). */
export const ABANDONED_NOTE_MS = 5 * NOTE_HEARTBEAT_MS;
/** How many abandoned cards the sweep reads again from the PBX at once. */
const SWEEP_CONCURRENCY = 4;

/**
 * A press's note, prepared when the press arrives and stored in the press's first round trip to
 * the store, beside its claims (so before anything is sent to VoipNow, and a SIGKILL after that
 * leaves it behind): `take` hands its intent to that statement, once; `settle` says how it went.
 * A note never taken (the press ran nothing) is never stored.
 */
export class PressNote {
  #taken = false;
  #resolve!: (key: string | undefined) => void;
  /** The note's key once stored; undefined when it was not (never taken, or its statement failed). */
  readonly stored = new Promise<string | undefined>((resolve) => {
    this.#resolve = resolve;
  });

  constructor(
    readonly intent: NewIntent,
    private readonly onStored: () => void,
    private readonly onFailed: (err: unknown) => void,
  ) {}

  /** The intent to store with the press's claims; undefined once taken (or dropped). */
  take(): NewIntent | undefined {
    if (this.#taken) return undefined;
    this.#taken = true;
    return this.intent;
  }

  /** The statement that took the note answered (`ok`) or failed. */
  settle(ok: boolean, err?: unknown): void {
    if (ok) this.onStored();
    else this.onFailed(err);
    this.#resolve(ok ? this.intent.key : undefined);
  }

  /** The press is done or interrupted: a note not taken by then never will be. */
  drop(): void {
    if (this.#taken) return;
    this.#taken = true;
    this.#resolve(undefined);
  }
}

export class CardNotes {
  /** The notes of the presses running here, each touched by its timer until it ends. */
  readonly #heartbeats = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly outbox: OutboxStore,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A press on this card arrived: its note, to be stored with the press's claims (before anything
   * is sent to VoipNow) and kept until `end`.
   */
  prepare(card: PressedCard): PressNote {
    const key = `${NOTE_PREFIX}${card.channelId}|${card.ts}|${randomBytes(6).toString('hex')}`;
    const payload: NotePayload = { ts: card.ts, blocks: card.blocks, ...(card.by && { by: card.by }) };
    const intent: NewIntent = {
      key,
      teamId: card.teamId ?? '',
      channelId: card.channelId,
      phoneCallId: card.phoneCallId,
      kind: 'note',
      seq: 0,
      payload: JSON.stringify(payload),
      createdAt: new Date(this.now()),
    };
    return new PressNote(
      intent,
      () => this.#touchUntilEnd(key),
      (err) => this.logger.warn('could not record a card note', { error: err instanceof Error ? err.message : String(err) }),
    );
  }

  /** A running press touches its stored note every few seconds, so no other replica takes it as abandoned. */
  #touchUntilEnd(key: string): void {
    const touch = () => void this.outbox.markAttempted([key], new Date(this.now())).catch((err: unknown) => this.logger.warn('could not touch a card note', { error: String(err) }));
    const timer = setInterval(touch, NOTE_HEARTBEAT_MS);
    timer.unref();
    this.#heartbeats.set(key, timer);
  }

  /** The press is done (its result is on the card, or the card was marked interrupted): its note goes, in one statement. */
  async end(key: string | undefined): Promise<void> {
    if (!key) return;
    clearInterval(this.#heartbeats.get(key));
    this.#heartbeats.delete(key);
    await this.outbox.dropNote(key).catch((err: unknown) => this.logger.warn('could not clear a card note', { error: String(err) }));
  }

  /**
   * Every card whose press was abandoned (not touched for `olderThanMs`, and never ended) is drawn
   * again with the call as it is now (`redraw`), or else marked interrupted.
   */
  async sweep(mark: MarkCard, olderThanMs: number, redraw?: RedrawCard): Promise<number> {
    const before = this.now() - olderThanMs;
    const left = (await this.outbox.pendingIntents()).filter((i) => i.kind === 'note' && (i.attemptedAt ?? i.createdAt).getTime() <= before && !this.#heartbeats.has(i.key));
    // A few at a time: one call the PBX is slow to read does not hold up the others (nor the start).
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = left[next++]; i; i = left[next++]) await this.#settle(i, mark, redraw);
    };
    await Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, left.length) }, worker));
    if (left.length) this.logger.info('cards left working by a stopped process are drawn again or marked interrupted', { count: left.length });
    return left.length;
  }

  /** One abandoned note: the card drawn again from the PBX, or marked interrupted; then the note is cleared. */
  async #settle(i: OutboxIntent, mark: MarkCard, redraw: RedrawCard | undefined): Promise<void> {
    try {
      const p = JSON.parse(i.payload) as NotePayload;
      const card = { ...(i.teamId && { teamId: i.teamId }), channelId: i.channelId, ts: p.ts };
      const redrawn = redraw && p.by ? await this.#redraw(redraw, { card, blocks: p.blocks, phoneCallId: i.phoneCallId, by: p.by }) : false;
      if (!redrawn) await mark(card, interruptedCard(p.blocks, i.phoneCallId));
    } catch (err) {
      this.logger.warn('could not mark an interrupted card', { error: (err as { data?: { error?: string } }).data?.error ?? (err instanceof Error ? err.message : String(err)) });
    }
    await this.end(i.key);
  }

  async #redraw(redraw: RedrawCard, press: InterruptedPress): Promise<boolean> {
    try {
      return await redraw(press);
    } catch (err) {
      this.logger.warn('could not draw an interrupted card again; marking it instead', { call: press.phoneCallId, error: err instanceof Error ? err.message : String(err) });
      return false;
    }
  }
}
