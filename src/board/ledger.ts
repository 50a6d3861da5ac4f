/**
 * The cards each channel shows, one per call, and how a read of the PBX
 * changes them: new calls get a card, changed ones an update and audit lines,
 * and a call that no watch of the channel lists any more has ended (no ghosts,
 * even when events are lost). An action taken from Slack changes them the same
 * way, from the call as the action read it back, with its own audit line. Persisted
 * in the store, so a restart continues the same messages and threads, with the
 * alerts already raised and the supervisor legs callops started (a card's memory).
 * Each change is stored at once with the writes it owes Slack, and only then handed
 * to the output (card-commits.ts): a crash loses or doubles nothing, and what was
 * owed is delivered on the next start.
 */
import type { PhoneCall } from '../uapi/schemas.js';
import type { OutboxStore } from '../store/outbox.js';
import type { AuditStore, BoardCardStore, BoardFence, ClaimStore } from '../store/types.js';
import { changeLines, endedSnapshot, sameSnapshot, snapshotOf, type CallSnapshot, type LegHint } from './snapshot.js';
import type { Escalation } from './escalation.js';
import type { BoardOutput, CardRef } from './output.js';
import { replayOwed } from './card-intents.js';
import { CardCommits, type CardEntry as Entry, cardKey } from './card-commits.js';
import { ActionHolds } from './action-holds.js';
import { storedCards } from './stored-cards.js';
import { SupervisorLegs } from './supervisor-legs.js';

/**
 * One audit line per change: the change an action from Slack made that the board reads only later
 * (a phone rings first, or the action could not read the call back), seen within this long after
 * the action's own line, gets no second line.
 */
const ACTION_CHANGE_MS = 10_000;

export const channelKey = (teamId: string, channelId: string) => `${teamId}|${channelId}`;

export interface LedgerDeps {
  store: BoardCardStore & AuditStore & Pick<ClaimStore, 'listActionHolds'> & { readonly outbox: OutboxStore };
  escalation: Escalation;
  isQueue: (extension: string) => boolean;
  output: () => BoardOutput | undefined;
  now: () => number;
  /** The lease epoch this board runs under: its writes are refused once a newer holder raised its own. */
  fence?: () => BoardFence | undefined;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export class CardLedger {
  private readonly channels = new Map<string, Map<string, Entry>>();
  /** Supervisor legs started from Slack, per call (VoipNow does not mark them). */
  private readonly hints = new SupervisorLegs((id) => this.cardsOf(id).length > 0);

  hint(phoneCallId: string, hint: LegHint): void {
    this.hints.add(phoneCallId, hint);
    for (const ref of this.cardsOf(phoneCallId)) void this.commits.saveMemory(ref);
  }

  /** What the ledger holds in memory: cards shown, calls with leg hints (both bounded by live calls). */
  sizes(): { cards: number; hintedCalls: number; alerts: number } {
    let cards = 0;
    for (const entries of this.channels.values()) cards += entries.size;
    return { cards, hintedCalls: this.hints.size, alerts: this.deps.escalation.size };
  }

  private readonly commits: CardCommits;
  /** Actions from Slack under way: what a read sees of their calls waits for their read-back. */
  private readonly holds: ActionHolds;

  constructor(private readonly deps: LedgerDeps) {
    this.commits = new CardCommits({ ...deps, hints: (id) => this.hints.of(id) });
    this.holds = new ActionHolds(deps.now);
  }

  /** An action from Slack on the call starts (before its request is sent): reads of the call hold their change back until it ends. */
  actionStarted(phoneCallId: string, actionId: string): void {
    this.holds.start(phoneCallId, actionId);
  }

  /** The action ended (its read-back or its failure is taken in): true when a read of the call was held back meanwhile (read it again). */
  actionEnded(phoneCallId: string, actionId: string): boolean {
    return this.holds.end(phoneCallId, actionId);
  }

  /** Where cards go; nowhere once fenced out. */
  private out(): BoardOutput | undefined {
    return this.commits.out();
  }

  /** True once a write of this ledger was refused by a newer holder's fence. */
  get superseded(): boolean {
    return this.commits.superseded;
  }

  private change(ref: CardRef, entry: Entry, c: Parameters<CardCommits['change']>[2]) {
    return this.commits.change(ref, entry, c);
  }

  /** Live cards from the store (after a restart). */
  async restore(): Promise<void> {
    this.channels.clear();
    this.commits.reset();
    for (const { ref, entry, raised, legHints } of await storedCards(this.deps.store, this.deps.now())) {
      if (raised) this.deps.escalation.remember(cardKey(ref), raised);
      this.hints.restore(ref.phoneCallId, legHints);
      this.channel(ref.teamId, ref.channelId).set(ref.phoneCallId, entry);
    }
    // What was owed Slack when the last holder stopped (crash, SIGKILL, lost lease) goes first.
    const out = this.out();
    if (out) await replayOwed(this.deps.store, out, (ref) => this.channels.get(channelKey(ref.teamId, ref.channelId))?.get(ref.phoneCallId), this.deps.log);
  }

  /** Restored cards of this extension are held by a (re)started watch until a read says otherwise. */
  adopt(teamId: string, channelId: string, extension: string, key: string): Set<string> {
    const seen = new Set<string>();
    for (const [id, e] of this.channel(teamId, channelId)) {
      if (e.extension === extension && e.snapshot.state !== 'ended') {
        e.holders.add(key);
        seen.add(id);
      }
    }
    return seen;
  }

  /** Take in what one watch read; returns the calls it listed. */
  async reconcile(w: { teamId: string; channelId: string; extension: string; key: string; seen: Set<string> }, calls: PhoneCall[], readFrom?: number): Promise<Set<string>> {
    const entries = this.channel(w.teamId, w.channelId);
    const listed = new Set<string>();
    await this.learnHolds(entries, calls, w.extension, readFrom);
    const now = this.deps.now();
    for (const call of calls) {
      listed.add(call.id);
      const next = snapshotOf(call, w.extension, this.hints.of(call.id));
      let entry = entries.get(call.id);
      const ref = { teamId: w.teamId, channelId: w.channelId, phoneCallId: call.id };
      let lines: string[] | undefined;
      let prev: Entry | undefined;
      if (!entry || entry.snapshot.state === 'ended') {
        prev = entry;
        entry = { snapshot: next, extension: w.extension, holders: new Set([w.key]), seq: entry?.seq ?? 0 };
        entries.set(call.id, entry);
        lines = changeLines(undefined, next);
      } else {
        entry.holders.add(w.key);
        // Begun before an action's read-back was applied: older news than the card shows.
        if (readFrom !== undefined && entry.appliedAt !== undefined && readFrom < entry.appliedAt) continue;
        if (!sameSnapshot(entry.snapshot, next)) {
          // An action on the call is under way: its read-back tells this change, with its line.
          if (this.holds.holdsBack(call.id)) continue;
          lines = changeLines(entry.snapshot, next);
          prev = { ...entry };
          entry.snapshot = next;
          if (entry.actedAt !== undefined && now - entry.actedAt <= ACTION_CHANGE_MS && next.state !== 'ended') lines = [];
          delete entry.actedAt;
        }
      }
      const key = cardKey(ref);
      const raisedBefore = this.deps.escalation.memory(key);
      const alert = this.deps.escalation.check(key, entry.snapshot, this.deps.isQueue(entry.snapshot.extension), now);
      if (!lines && !alert) continue;
      const done = await this.change(ref, entry, { card: lines !== undefined, lines: lines ?? [], ...(alert && { alert }) });
      if (done === 'refused') return listed;
      if (done === 'failed') {
        // Not stored: put the card back as it was, so the next read sees the change (and the alert) again.
        if (prev) entries.set(call.id, prev);
        else entries.delete(call.id);
        if (raisedBefore) this.deps.escalation.remember(key, raisedBefore);
        else this.deps.escalation.forget(key);
      }
    }
    for (const id of w.seen) if (!listed.has(id)) await this.release(w.teamId, w.channelId, id, w.key);
    return listed;
  }

  /** Calls this read sees changed with no action known to be under way here: the store may know of one another replica started. */
  private async learnHolds(entries: Map<string, Entry>, calls: PhoneCall[], extension: string, readFrom: number | undefined): Promise<void> {
    const changed = calls.filter((call) => {
      const e = entries.get(call.id);
      if (!e || e.snapshot.state === 'ended' || (readFrom !== undefined && e.appliedAt !== undefined && readFrom < e.appliedAt)) return false;
      return !this.holds.holding(call.id) && !sameSnapshot(e.snapshot, snapshotOf(call, extension, this.hints.of(call.id)));
    });
    const at = new Date(this.deps.now());
    await this.holds
      .learn(
        changed.map((c) => c.id),
        (ids) => this.deps.store.listActionHolds(ids, at),
      )
      .catch((err: unknown) => this.deps.log?.('could not read the actions under way', { error: err instanceof Error ? err.message : String(err) }));
  }

  /** A watch no longer lists a call: when no watch of the channel does, it has ended. */
  async release(teamId: string, channelId: string, id: string, key: string): Promise<void> {
    const entries = this.channel(teamId, channelId);
    const entry = entries.get(id);
    if (!entry) return;
    entry.holders.delete(key);
    if (entry.holders.size > 0 || entry.snapshot.state === 'ended') return;
    const ref = { teamId, channelId, phoneCallId: id };
    const ended = endedSnapshot(entry.snapshot, new Date(this.deps.now()));
    const lines = changeLines(entry.snapshot, ended);
    const before = entry.snapshot;
    entry.snapshot = ended;
    this.deps.escalation.forget(cardKey(ref));
    const done = await this.change(ref, entry, { card: true, lines });
    if (done === 'refused') return;
    if (done === 'failed') {
      entry.snapshot = before;
      entry.holders.add(key); // released again by the next read that does not list it
      return;
    }
    entries.delete(id);
    if (this.cardsOf(id).length === 0) this.hints.forget(id);
  }

  /**
   * An audit line on a card; returns the watches holding the call (to re-read it), or undefined
   * without a card. `changed`: the line is an action that changed the call but could not read it
   * back, so the change the board reads next is already told.
   */
  note(ref: CardRef, line: string | undefined, changed = false): Set<string> | undefined {
    const entry = this.channels.get(channelKey(ref.teamId, ref.channelId))?.get(ref.phoneCallId);
    if (!entry) return undefined;
    if (line && changed) entry.actedAt = this.deps.now();
    if (line)
      void this.change(ref, entry, { card: false, lines: [line], own: true }).catch((err: unknown) =>
        this.deps.log?.('could not audit an action', { error: err instanceof Error ? err.message : String(err) }),
      );
    return entry.holders;
  }

  /**
   * An action from Slack on the call, with the call as the action read it back: its line and
   * the card's new state go in one change, with no read of the PBX. `awaiting`: the action rings a
   * phone, so the change it makes comes later (and is told by this line). False without a card.
   */
  acted(ref: CardRef, line: string, call: PhoneCall, awaiting: boolean): boolean {
    const entry = this.channels.get(channelKey(ref.teamId, ref.channelId))?.get(ref.phoneCallId);
    if (!entry) return false;
    const now = this.deps.now();
    const before = entry.snapshot;
    const next = snapshotOf(call, entry.extension, this.hints.of(ref.phoneCallId));
    const changed = before.state !== 'ended' && !sameSnapshot(before, next);
    if (changed) {
      entry.snapshot = next;
      entry.appliedAt = now;
    }
    // Not shown yet (a phone rings first): the change the board reads next is this line's.
    if (awaiting) entry.actedAt = now;
    else delete entry.actedAt;
    void this.change(ref, entry, { card: changed, lines: [line], own: true })
      .then((done) => {
        // Not stored: the card shows what it did, so the next read sees the change again.
        if (done !== 'failed' || entry.snapshot !== next) return;
        entry.snapshot = before;
        delete entry.appliedAt;
      })
      .catch((err: unknown) => this.deps.log?.('could not apply an action to a card', { error: err instanceof Error ? err.message : String(err) }));
    return true;
  }

  cardsOf(phoneCallId: string): CardRef[] {
    const refs: CardRef[] = [];
    for (const [k, entries] of this.channels) {
      if (!entries.has(phoneCallId)) continue;
      const [teamId, channelId] = k.split('|') as [string, string];
      refs.push({ teamId, channelId, phoneCallId });
    }
    return refs;
  }

  cardAt(teamId: string, channelId: string, messageTs: string): CardRef | undefined {
    for (const [id, e] of this.channels.get(channelKey(teamId, channelId)) ?? []) if (e.messageTs === messageTs) return { teamId, channelId, phoneCallId: id };
    return undefined;
  }

  /** The card's message, as the outbox recorded it on delivery (already in the store). */
  async posted(ref: CardRef, messageTs: string): Promise<void> {
    const entry = this.channels.get(channelKey(ref.teamId, ref.channelId))?.get(ref.phoneCallId);
    if (entry) entry.messageTs = messageTs;
  }

  /** Sends every live card of a channel again (its board resumed after Slack refused it). */
  redraw(teamId: string, channelId: string): void {
    for (const [id, e] of this.channels.get(channelKey(teamId, channelId)) ?? []) {
      if (e.snapshot.state !== 'ended') this.out()?.card({ teamId, channelId, phoneCallId: id }, e.snapshot, e.messageTs);
    }
  }

  liveCalls(teamId: string, channelId: string): CallSnapshot[] {
    return [...(this.channels.get(channelKey(teamId, channelId))?.values() ?? [])].map((e) => e.snapshot).filter((s) => s.state !== 'ended');
  }

  private channel(teamId: string, channelId: string): Map<string, Entry> {
    const k = channelKey(teamId, channelId);
    let m = this.channels.get(k);
    if (!m) {
      m = new Map();
      this.channels.set(k, m);
    }
    return m;
  }
}
