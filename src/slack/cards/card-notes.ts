/**
 * A card pressed shows a passing note ("working…") until the action's result replaces it. The
 * note is part of the card's state: it is recorded in the store's outbox while the press runs
 * and removed when it is done, so a process that dies in between (SIGKILL, a crash) leaves a
 * record behind, and the next start marks that card "interrupted" instead of leaving it
 * "working…" for good. With replicas another live replica may still be working on a note, so
 * a running press touches its note every few seconds (the row's `attempted_at`), and a note is
 * taken as abandoned only once it has not been touched for several of those.
 */
import type { KnownBlock } from '@slack/types';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../log.js';
import type { NewIntent, OutboxStore } from '../../store/outbox.js';
import { withNote } from '../blocks/call-card.js';
import type { SlackMessage } from './slack-message.js';

/** The card a press was made on, as the press's body showed it. */
export interface PressedCard {
  teamId?: string;
  channelId: string;
  ts: string;
  blocks: KnownBlock[];
  phoneCallId: string;
}

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
}

const NOTE_PREFIX = 'note|';

/** How often a running press touches its note. */
export const NOTE_HEARTBEAT_MS = 2_000;
/** A note not touched for this long was left by a process that stopped (several touches missed). */
export const ABANDONED_NOTE_MS = 5 * NOTE_HEARTBEAT_MS;

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
    const payload: NotePayload = { ts: card.ts, blocks: card.blocks };
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

  /** A press on this card runs: its note stored on its own, until `end`. Answers its key (undefined when it could not be stored). */
  async begin(card: PressedCard): Promise<string | undefined> {
    const note = this.prepare(card);
    const intent = note.take()!;
    try {
      await this.outbox.commitBoardChange({ intents: [intent] });
      note.settle(true);
    } catch (err) {
      note.settle(false, err);
    }
    return note.stored;
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

  /** Marks every card whose press was abandoned (not touched for `olderThanMs`, and never ended) as interrupted. */
  async sweep(mark: MarkCard, olderThanMs: number): Promise<number> {
    const before = this.now() - olderThanMs;
    const left = (await this.outbox.pendingIntents()).filter((i) => i.kind === 'note' && (i.attemptedAt ?? i.createdAt).getTime() <= before && !this.#heartbeats.has(i.key));
    for (const i of left) {
      try {
        const p = JSON.parse(i.payload) as NotePayload;
        await mark({ ...(i.teamId && { teamId: i.teamId }), channelId: i.channelId, ts: p.ts }, interruptedCard(p.blocks, i.phoneCallId));
      } catch (err) {
        this.logger.warn('could not mark an interrupted card', { error: (err as { data?: { error?: string } }).data?.error ?? (err instanceof Error ? err.message : String(err)) });
      }
      await this.end(i.key);
    }
    if (left.length) this.logger.info('cards left working by a stopped process are marked interrupted', { count: left.length });
    return left.length;
  }
}
