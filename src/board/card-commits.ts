/**
 * How a change of one board card is kept: stored in one transaction with the writes it owes
 * Slack (card-intents.ts, the store's outbox), and only then handed to the output, the commits
 * of one card one after another so its lines reach the store and Slack in seq order. Fenced by
 * the board holder's lease epoch: once a newer holder refused a write, nothing more goes out
 * from here. Also the card's memory beside its state (the alert raised in this episode, the
 * supervisor legs callops started).
 */
import type { CommittedChange, OutboxStore } from '../store/outbox.js';
import type { AuditStore, BoardCardMemory, BoardCardStore, BoardFence } from '../store/types.js';
import type { CallSnapshot, LegHint } from './snapshot.js';
import type { Alert, Escalation } from './escalation.js';
import type { BoardOutput, CardRef } from './output.js';
import { boardChange, type CardWrite, deliver } from './card-intents.js';

/** One card as the ledger holds it. */
export interface CardEntry {
  snapshot: CallSnapshot;
  extension: string;
  /** Keys of the channel's watches that list the call. */
  holders: Set<string>;
  messageTs?: string;
  seq: number;
  /** When an action from Slack was audited on the card, until the board sees the change it made. */
  actedAt?: number;
  /** When the card last took the call as an action read it back: reads begun before then are older news. */
  appliedAt?: number;
}

/** What a change of a card carries: its state (when `card`), audit lines (`own`: the front end's markup), an alert. */
export interface CardChange {
  card: boolean;
  lines: string[];
  own?: boolean;
  alert?: Alert;
}

export type CommitResult = 'ok' | 'refused' | 'failed';

export const cardKey = (ref: CardRef) => `${ref.teamId}|${ref.channelId}|${ref.phoneCallId}`;

export interface CommitDeps {
  store: BoardCardStore & AuditStore & { readonly outbox: OutboxStore };
  escalation: Escalation;
  output: () => BoardOutput | undefined;
  now: () => number;
  /** The lease epoch this board runs under: its writes are refused once a newer holder raised its own. */
  fence?: () => BoardFence | undefined;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** The supervisor legs callops started on a call (part of its cards' memory). */
  hints: (phoneCallId: string) => LegHint[] | undefined;
}

export class CardCommits {
  /** A write was refused: another holder runs the board now, so nothing more reaches Slack from here. */
  private fencedOut = false;
  /** Commits of one card run one after another, so its lines reach the store and Slack in seq order. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: CommitDeps) {}

  /** Where cards go; nowhere once fenced out. */
  out(): BoardOutput | undefined {
    return this.fencedOut ? undefined : this.deps.output();
  }

  /** True once a write was refused by a newer holder's fence. */
  get superseded(): boolean {
    return this.fencedOut;
  }

  /** A new run (the board restarted from the store). */
  reset(): void {
    this.fencedOut = false;
  }

  /**
   * Stores a change of a card with the writes it owes Slack, in one transaction, then hands the
   * writes to the output. 'refused': a newer holder's fence (nothing more from here); 'failed':
   * the store could not take it (logged; nothing was written anywhere).
   */
  change(ref: CardRef, entry: CardEntry, c: CardChange): Promise<CommitResult> {
    if (this.fencedOut) return Promise.resolve('refused');
    const first = entry.seq;
    const lines = c.lines.map((text, i) => ({ seq: first + i + 1, text, own: Boolean(c.own) }));
    entry.seq += lines.length;
    const key = cardKey(ref);
    const run = (this.queues.get(key) ?? Promise.resolve()).then(() => this.commit(ref, entry, c, lines, first));
    const tail = run.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => this.queues.get(key) === tail && this.queues.delete(key));
    return run;
  }

  private async commit(ref: CardRef, entry: CardEntry, c: CardChange, lines: CardWrite['lines'], seqBefore: number): Promise<CommitResult> {
    if (this.fencedOut) return 'refused';
    const raised = this.deps.escalation.memory(cardKey(ref));
    const w: CardWrite = {
      lines,
      memory: this.memoryOf(ref),
      ...(c.card && { card: { snapshot: entry.snapshot, extension: entry.extension, ...(entry.messageTs && { messageTs: entry.messageTs }) } }),
      ...(c.alert && raised && { alert: { text: c.alert.text, level: c.alert.level, episode: raised.key } }),
    };
    const change = boardChange(ref, w, new Date(this.deps.now()));
    // A posted card's new state is drawn at its next version in the same commit (no round trip of its own before Slack).
    const shows = c.card && entry.messageTs ? this.out()?.shows?.(ref, entry.snapshot) : undefined;
    if (shows !== undefined) change.draw = { shows };
    let versions: CommittedChange | undefined;
    try {
      versions = await this.deps.store.outbox.commitBoardChange(change, this.deps.fence?.());
    } catch (err) {
      if (entry.seq === seqBefore + lines.length) entry.seq = seqBefore;
      this.deps.log?.('could not store a board change', { error: err instanceof Error ? err.message : String(err) });
      return 'failed';
    }
    if (!versions) {
      this.refusedUnless(false);
      return 'refused';
    }
    deliver(this.out(), ref, w, change, versions, entry.messageTs);
    return 'ok';
  }

  /** What a card remembers beside its state: the alert raised in this episode, the supervisor legs. */
  private memoryOf(ref: CardRef): BoardCardMemory {
    const raised = this.deps.escalation.memory(cardKey(ref));
    const hints = this.deps.hints(ref.phoneCallId);
    return { ...(raised && { alerts: JSON.stringify(raised) }), ...(hints?.length && { legHints: JSON.stringify(hints) }) };
  }

  /** Keeps the card's memory (alerts raised in this episode, supervisor legs) in the store; a failure is logged. */
  async saveMemory(ref: CardRef): Promise<void> {
    try {
      await this.deps.store.saveBoardCardMemory(ref.teamId, ref.channelId, ref.phoneCallId, this.memoryOf(ref), this.deps.fence?.());
    } catch (err) {
      this.deps.log?.('could not store a board card memory', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** A fenced write that changed nothing was refused (a missing card's memory is not a refusal). */
  private refusedUnless(ok: boolean): void {
    if (!ok && this.deps.fence?.()) {
      this.fencedOut = true;
      this.deps.log?.('board: a write was refused, another replica runs the board now');
    }
  }
}
