/**
 * The cards each channel shows, one per call, and how a read of the PBX
 * changes them: new calls get a card, changed ones an update and audit lines,
 * and a call that no watch of the channel lists any more has ended (no ghosts,
 * even when events are lost). Persisted in the store, so a restart continues
 * the same messages and threads, with the alerts already raised and the
 * supervisor legs callops started (a card's memory).
 */
import type { PhoneCall } from '../uapi/schemas.js';
import type { AuditStore, BoardCard, BoardCardStore, BoardFence } from '../store/types.js';
import { changeLines, endedSnapshot, sameSnapshot, snapshotOf, type CallSnapshot, type LegHint } from './snapshot.js';
import type { Escalation, Raised } from './escalation.js';
import type { BoardOutput, CardRef } from './board.js';

interface Entry {
  snapshot: CallSnapshot;
  extension: string;
  /** Keys of the channel's watches that list the call. */
  holders: Set<string>;
  messageTs?: string;
  seq: number;
}

/** Backstop on calls with supervisor-leg hints but no card here (a hint for a call no watch ever lists). */
const MAX_HINTED_CALLS = 1000;

export const channelKey = (teamId: string, channelId: string) => `${teamId}|${channelId}`;
const cardKey = (ref: CardRef) => `${ref.teamId}|${ref.channelId}|${ref.phoneCallId}`;

/** Opaque JSON from the store; a row that does not parse is as good as none. */
function parsed<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export interface LedgerDeps {
  store: BoardCardStore & AuditStore;
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
  private readonly hints = new Map<string, LegHint[]>();

  hint(phoneCallId: string, hint: LegHint): void {
    const list = (this.hints.get(phoneCallId) ?? []).filter((h) => h.from !== hint.from);
    this.hints.delete(phoneCallId);
    this.hints.set(phoneCallId, [...list, hint]);
    // Oldest first; a call with a card keeps its hints (they go when the card ends).
    for (const id of this.hints.keys()) {
      if (this.hints.size <= MAX_HINTED_CALLS) break;
      if (this.cardsOf(id).length === 0) this.hints.delete(id);
    }
    for (const ref of this.cardsOf(phoneCallId)) void this.saveMemory(ref);
  }

  /** What the ledger holds in memory: cards shown, calls with leg hints (both bounded by live calls). */
  sizes(): { cards: number; hintedCalls: number; alerts: number } {
    let cards = 0;
    for (const entries of this.channels.values()) cards += entries.size;
    return { cards, hintedCalls: this.hints.size, alerts: this.deps.escalation.size };
  }

  /** A write was refused: another holder runs the board now, so nothing more reaches Slack from here. */
  private fencedOut = false;

  constructor(private readonly deps: LedgerDeps) {}

  /** Where cards go; nowhere once fenced out. */
  private out(): BoardOutput | undefined {
    return this.fencedOut ? undefined : this.deps.output();
  }

  /** True once a write of this ledger was refused by a newer holder's fence. */
  get superseded(): boolean {
    return this.fencedOut;
  }

  /** Live cards from the store (after a restart). */
  async restore(): Promise<void> {
    this.channels.clear();
    this.fencedOut = false;
    for (const c of await this.deps.store.listLiveBoardCards()) {
      const seq = (await this.deps.store.listAuditEntries(c.teamId, c.channelId, c.phoneCallId)).length;
      const raised = parsed<Raised>(c.alerts);
      if (raised && typeof raised.key === 'string' && typeof raised.level === 'number') this.deps.escalation.remember(cardKey(c), raised);
      const hints = parsed<LegHint[]>(c.legHints);
      if (Array.isArray(hints))
        for (const h of hints) if (typeof h?.from === 'string') this.hints.set(c.phoneCallId, [...(this.hints.get(c.phoneCallId) ?? []).filter((x) => x.from !== h.from), h]);
      this.channel(c.teamId, c.channelId).set(c.phoneCallId, {
        snapshot: JSON.parse(c.state) as CallSnapshot,
        extension: c.extension,
        holders: new Set(),
        seq,
        ...(c.messageTs && { messageTs: c.messageTs }),
      });
      // Saved but never posted (the process that read it stopped first): post it now.
      if (!c.messageTs) this.out()?.card({ teamId: c.teamId, channelId: c.channelId, phoneCallId: c.phoneCallId }, JSON.parse(c.state) as CallSnapshot, undefined);
    }
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
  async reconcile(w: { teamId: string; channelId: string; extension: string; key: string; seen: Set<string> }, calls: PhoneCall[]): Promise<Set<string>> {
    const entries = this.channel(w.teamId, w.channelId);
    const listed = new Set<string>();
    const now = this.deps.now();
    for (const call of calls) {
      listed.add(call.id);
      const next = snapshotOf(call, w.extension, this.hints.get(call.id));
      let entry = entries.get(call.id);
      const ref = { teamId: w.teamId, channelId: w.channelId, phoneCallId: call.id };
      if (!entry || entry.snapshot.state === 'ended') {
        entry = { snapshot: next, extension: w.extension, holders: new Set([w.key]), seq: entry?.seq ?? 0 };
        entries.set(call.id, entry);
        if (!(await this.save(ref, entry))) return listed;
        this.out()?.card(ref, next, undefined);
        if (this.hints.has(call.id)) await this.saveMemory(ref);
        for (const line of changeLines(undefined, next)) this.auditLine(ref, entry, line);
      } else {
        entry.holders.add(w.key);
        if (!sameSnapshot(entry.snapshot, next)) {
          const lines = changeLines(entry.snapshot, next);
          entry.snapshot = next;
          if (!(await this.save(ref, entry))) return listed;
          this.out()?.card(ref, next, entry.messageTs);
          for (const line of lines) this.auditLine(ref, entry, line);
        }
      }
      const alert = this.deps.escalation.check(cardKey(ref), entry.snapshot, this.deps.isQueue(entry.snapshot.extension), now);
      if (alert) {
        this.out()?.alert(ref, alert.text, alert.level, entry.messageTs);
        await this.saveMemory(ref);
      }
    }
    for (const id of w.seen) if (!listed.has(id)) await this.release(w.teamId, w.channelId, id, w.key);
    return listed;
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
    entry.snapshot = ended;
    this.deps.escalation.forget(cardKey(ref));
    if (!(await this.save(ref, entry))) return;
    this.out()?.card(ref, ended, entry.messageTs);
    for (const line of lines) this.auditLine(ref, entry, line);
    entries.delete(id);
    if (this.cardsOf(id).length === 0) this.hints.delete(id);
  }

  /** An audit line on a card; returns the watches holding the call (to re-read it), or undefined without a card. */
  note(ref: CardRef, line: string | undefined): Set<string> | undefined {
    const entry = this.channels.get(channelKey(ref.teamId, ref.channelId))?.get(ref.phoneCallId);
    if (!entry) return undefined;
    if (line) this.auditLine(ref, entry, line, true);
    return entry.holders;
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

  async posted(ref: CardRef, messageTs: string): Promise<void> {
    const entry = this.channels.get(channelKey(ref.teamId, ref.channelId))?.get(ref.phoneCallId);
    if (!entry) return;
    entry.messageTs = messageTs;
    await this.save(ref, entry);
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

  /** `own`: the front end's own line (an action taken), not one made of PBX values. */
  private auditLine(ref: CardRef, entry: Entry, line: string, own = false): void {
    if (this.fencedOut) return;
    entry.seq++;
    this.out()?.audit(ref, line, entry.messageTs, own);
    const fence = this.deps.fence?.();
    this.deps.store
      .appendAuditEntry({ ...ref, seq: entry.seq, at: new Date(this.deps.now()), text: line }, fence)
      .then((ok) => this.refusedUnless(ok))
      .catch((err: unknown) => this.deps.log?.('could not store an audit line', { error: err instanceof Error ? err.message : String(err) }));
  }

  /** Keeps the card's memory (alerts raised in this episode, supervisor legs) in the store; a failure is logged. */
  private async saveMemory(ref: CardRef): Promise<void> {
    const raised = this.deps.escalation.memory(cardKey(ref));
    const hints = this.hints.get(ref.phoneCallId);
    try {
      await this.deps.store.saveBoardCardMemory(
        ref.teamId,
        ref.channelId,
        ref.phoneCallId,
        {
          ...(raised && { alerts: JSON.stringify(raised) }),
          ...(hints?.length && { legHints: JSON.stringify(hints) }),
        },
        this.deps.fence?.(),
      );
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

  /** False when the store refused it (fenced out). */
  private async save(ref: CardRef, entry: Entry): Promise<boolean> {
    if (this.fencedOut) return false;
    const card: BoardCard = {
      ...ref,
      extension: entry.extension,
      state: JSON.stringify(entry.snapshot),
      ended: entry.snapshot.state === 'ended',
      updatedAt: new Date(this.deps.now()),
      ...(entry.messageTs && { messageTs: entry.messageTs }),
    };
    const ok = await this.deps.store.saveBoardCard(card, this.deps.fence?.());
    this.refusedUnless(ok);
    return ok;
  }
}
