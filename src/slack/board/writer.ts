/**
 * Every board write goes through here, one request at a time, within Slack's
 * rate limits. Per card only the latest state is kept: a change replaces what
 * was pending, and what is sent is read at the moment of sending, so a card
 * never goes back to an older state and nothing stale is ever resent (the
 * client has no automatic retries and rejects rate-limited calls). Order of
 * work: new cards, ended cards, channel notices and alerts, the compact
 * summaries, changed cards (the longest waiting first), audit lines (all
 * pending lines of a thread in one reply, leaving a post of the channel's
 * budget for the next new card, which would otherwise wait a second behind
 * them). On 429 the budget waits for
 * Retry-After and the then-current state is sent.
 *
 * A channel whose pending changes outrun its budget share switches to one
 * compact summary message (see compact.ts) and back when it calms down. What is owed
 * is kept in PendingWrites (pending-writes.ts); this is the order it is written in.
 */
import type { WebClient } from '@slack/web-api';
import type { BoardOutput, CardRef, IntentRef } from '../../board/output.js';
import type { CallSnapshot } from '../../board/snapshot.js';
import type { Background } from '../../background.js';
import type { Logger } from '../../log.js';
import { DEFAULT_BUDGETS, type WriteBudgets } from './budget.js';
import { CompactMode } from './compact.js';
import { BudgetedSender, type WriterStats } from './budgeted-sender.js';
import { BoardMessages, boardCardShows, channelKey, slotKey, type WriterHooks } from './board-messages.js';
import { PendingWrites } from './pending-writes.js';
import { mrkdwn, ours } from '../cards/slack-text.js';
import { evictSettled, MAX_SETTLED_SLOTS } from './slot-cap.js';

/** Posts of a channel's budget that audit lines leave for a new card (they take one only beyond these). */
const POST_RESERVE = 1;

export class BoardWriter implements BoardOutput {
  private readonly pending: PendingWrites;
  private readonly budgets: WriteBudgets;
  private readonly sender: BudgetedSender;
  private readonly writes: BoardMessages;
  private readonly compact: CompactMode;
  private pumping = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private idleCheck = false;
  /** After a summary write, an ended card gets the next update. */
  private endedTurn = false;
  /** A change arrived while the pump ran: pump again when it ends. */
  private kickedWhilePumping = false;
  readonly stats: WriterStats;
  /** Fully written cards kept in memory at most (see slot-cap.ts). */
  settledSlotCap = MAX_SETTLED_SLOTS;

  constructor(
    client: WebClient,
    private readonly hooks: WriterHooks,
    private readonly background: Background,
    private readonly logger: Logger,
    budgets: Partial<WriteBudgets> = {},
    private readonly now: () => number = Date.now,
    /** The app's one sender, whose budgets call cards spend too (default: one of the board's own). */
    sender?: BudgetedSender,
  ) {
    this.budgets = { ...DEFAULT_BUDGETS, ...budgets };
    this.pending = new PendingWrites(now);
    this.sender = sender ?? new BudgetedSender(this.budgets, logger, now);
    this.stats = this.sender.stats;
    this.compact = new CompactMode(this.budgets, now);
    this.writes = new BoardMessages(client, hooks, this.sender, this.compact, now);
  }

  card(ref: CardRef, snapshot: CallSnapshot, messageTs: string | undefined, intent?: IntentRef, drawnAt?: number): void {
    this.pending.card(ref, snapshot, messageTs, intent, drawnAt);
    this.compact.changed(channelKey(ref.teamId, ref.channelId));
    this.kick();
  }

  shows(ref: CardRef, snapshot: CallSnapshot): string | undefined {
    // A compact channel's per-call cards wait for it to calm down: drawn when they are written.
    return this.compact.isCompact(channelKey(ref.teamId, ref.channelId)) ? undefined : boardCardShows(snapshot);
  }

  audit(ref: CardRef, raw: string, messageTs?: string, own = false, intent?: IntentRef): void {
    // A card never posted (compact channel) has no thread: its history is in the store.
    if (!this.pending.line(ref, own ? ours(raw) : mrkdwn(raw), messageTs, intent)) this.skip([intent]);
    this.kick();
  }

  alert(ref: CardRef, text: string, level: 1 | 2, messageTs?: string, intent?: IntentRef): void {
    this.pending.notices.push({
      teamId: ref.teamId,
      channelId: ref.channelId,
      text: `:rotating_light: ${mrkdwn(text)}`,
      threadOf: slotKey(ref),
      broadcast: level === 2,
      ...(messageTs && { threadTs: messageTs }),
      ...(intent && { intent }),
    });
    this.kick();
  }

  /** Intents that will not be written (nowhere to write them): delivered as far as the outbox goes. */
  private skip(intents: Array<IntentRef | undefined>): void {
    for (const i of intents) {
      if (!i || !this.hooks.delivered) continue;
      this.background.track(
        this.hooks.delivered(i).catch((err: unknown) => this.logger.warn('board: could not record a skipped write', { error: err instanceof Error ? err.message : String(err) })),
      );
    }
  }

  notice(teamId: string, channelId: string, text: string): void {
    this.pending.notices.push({ teamId, channelId, text });
    this.kick();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Drops every pending write (another replica runs the board now and writes from the store). */
  reset(): void {
    this.pending.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Drops the pending writes of one channel (its board paused: Slack refuses them). */
  forget(teamId: string, channelId: string): void {
    this.pending.forget(teamId, channelId);
  }

  /** Cards the writer holds in memory (pending or recently written). */
  get size(): number {
    return this.pending.slots.size;
  }

  /** Cards with a change not yet in Slack. */
  get backlog(): number {
    return this.pending.backlog;
  }

  /**
   * Writes a workspace owes Slack as updates: posted cards with a change not yet in Slack
   * (in a compact channel only ended ones are updated) and compact summaries with changes to show.
   */
  updatesWaiting(teamId: string): number {
    return this.pending.updatesWaiting(teamId, this.compact);
  }

  private kick(): void {
    if (this.closed) return;
    // A change while the pump runs is seen by its next pick, or by a pump started when it ends
    // (it may have picked already and be about to sleep until a budget refills).
    if (this.pumping) {
      this.kickedWhilePumping = true;
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.pumping = true;
    this.kickedWhilePumping = false;
    this.background.track(
      this.pump().finally(() => {
        this.pumping = false;
        if (this.kickedWhilePumping) this.kick();
      }),
    );
  }

  private async pump(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      this.kickedWhilePumping = false;
      const next = this.pick();
      if (typeof next === 'number') {
        if (next < Infinity) this.wake(next);
        return;
      }
      await next().catch((err: unknown) => this.logger.warn('board write failed', { error: err instanceof Error ? err.message : String(err) }));
      this.reportStaleness();
    }
  }

  /** Per channel, the age of the oldest change not yet written (0 when the channel is current). */
  private reportStaleness(): void {
    if (!this.hooks.staleness) return;
    for (const [channelId, seconds] of this.pending.staleness()) this.hooks.staleness(channelId, seconds);
  }

  private wake(ms: number): void {
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.kick();
      },
      Math.max(1, ms),
    );
    this.timer.unref();
    // Pending board writes keep the drain point busy, so tests and shutdown can wait for them.
    if (!this.idleCheck) this.background.track(new Promise<void>((resolve) => setTimeout(resolve, Math.max(1, ms)).unref()));
  }

  /** The next write to make now, or how long until one may be made. */
  private pick(): (() => Promise<void>) | number {
    let wait = Infinity;
    const live = [...this.pending.slots.values()];
    const postReady = (channelId: string, reserve = 0) => {
      const w = this.sender.postBucket(channelId).waitMs(reserve);
      if (w > 0) wait = Math.min(wait, w);
      return w === 0;
    };
    const updateReady = (teamId: string) => {
      const w = this.sender.updateBucket(teamId).waitMs();
      if (w > 0) wait = Math.min(wait, w);
      return w === 0;
    };
    for (const ch of this.compact.channels()) {
      const transition = this.compact.decide(ch, this.pending.backlogOf(ch));
      if (transition) this.logger.info(`board channel ${ch} ${transition === 'enter' ? 'switches to the compact summary' : 'returns to per-call cards'}`);
    }
    // 1. New cards (not in compact channels), 2. ended cards.
    const now = this.now();
    for (const s of live) {
      if (s.ts || s.version === s.sent || this.compact.isCompact(channelKey(s.ref.teamId, s.ref.channelId))) continue;
      if (s.heldUntil !== undefined && s.heldUntil > now) {
        wait = Math.min(wait, s.heldUntil - now);
        continue;
      }
      if (s.snapshot.state === 'ended' && s.sent === 0 && this.compact.wasCompactRecently(channelKey(s.ref.teamId, s.ref.channelId))) {
        this.pending.slots.delete(slotKey(s.ref)); // began and ended while the channel was compact: its history is in the store
        this.skip([s.intent, ...s.lines.map((l) => l.intent)]);
        continue;
      }
      if (postReady(s.ref.channelId)) return () => this.writes.postCard(s);
    }
    // Ended cards lose their buttons even in compact channels, taking turns with the summary of a busy channel.
    const summaryWaiting = !this.endedTurn && this.compact.channels().some((ch) => this.compact.summaryDue(ch));
    for (const s of live) {
      if (!s.ts || s.version === s.sent || s.snapshot.state !== 'ended') continue;
      if (summaryWaiting && this.compact.isCompact(channelKey(s.ref.teamId, s.ref.channelId))) continue;
      if (updateReady(s.ref.teamId)) {
        this.endedTurn = false;
        return () => this.writes.updateCard(s);
      }
    }
    // 3. Notices and alerts.
    for (const [i, n] of this.pending.notices.entries()) {
      const slot = n.threadOf ? this.pending.slots.get(n.threadOf) : undefined;
      const thread = slot?.ts ?? n.threadTs;
      // A card not posted yet gets its alert in its thread once posted; one never posted (compact) in the channel.
      if (n.threadOf && slot && !thread && !this.compact.isCompact(channelKey(n.teamId, n.channelId))) continue;
      if (postReady(n.channelId)) {
        this.pending.notices.splice(i, 1);
        return () => this.writes.postNotice(n, thread, (again) => this.pending.notices.unshift(again));
      }
    }
    // 4. Compact summaries.
    for (const ch of this.compact.channels()) {
      const due = this.compact.summaryDue(ch);
      if (!due) {
        // Changes held back by the one-a-second spacing: wake for them, not only at the next change.
        const spacing = this.compact.summaryWaitMs(ch);
        if (spacing) wait = Math.min(wait, spacing);
        continue;
      }
      const [teamId, channelId] = ch.split('|') as [string, string];
      if (due === 'post' ? postReady(channelId) : updateReady(teamId)) {
        this.endedTurn = true;
        return () => this.writes.writeSummary(teamId, channelId, due);
      }
    }
    // 5. Changed cards, longest waiting first.
    const changed = live.filter((s) => s.ts && s.version > s.sent && !this.compact.isCompact(channelKey(s.ref.teamId, s.ref.channelId))).sort((a, b) => a.dirtySince - b.dirtySince);
    // Each workspace spends its own update budget: one that is out of it does not hold up the others.
    const ready = changed.find((s) => updateReady(s.ref.teamId));
    if (ready) return () => this.writes.updateCard(ready);
    // 6. Audit lines, keeping a post back for the next new card (a card waits on them otherwise).
    for (const s of live) {
      if (!s.ts || s.lines.length === 0) continue;
      if (postReady(s.ref.channelId, POST_RESERVE)) return () => this.writes.postLines(s);
    }
    // Slots fully written and ended are done.
    for (const s of live) if (s.snapshot.state === 'ended' && s.version === s.sent && s.lines.length === 0) this.pending.slots.delete(slotKey(s.ref));
    // Between writes (none in flight), so a slot being written is never the one evicted.
    evictSettled(this.pending.slots, this.settledSlotCap);
    // A compact channel's calm-down is checked even when nothing is pending (not tracked as pending work).
    this.idleCheck = wait === Infinity && this.compact.anyCompact;
    if (this.compact.anyCompact) wait = Math.min(wait, Math.max(250, this.budgets.compactMinMs / 4));
    return wait;
  }
}
