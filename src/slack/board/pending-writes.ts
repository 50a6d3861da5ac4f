/**
 * What a board writer owes Slack: per card one slot with its latest state (a change replaces
 * what was pending, so nothing stale is ever sent) and the audit lines waiting for its thread,
 * and the channel posts (notices, alerts, lines of cards it has no slot for) waiting their turn.
 * How much is owed is counted here too: per channel, per workspace, and how long each
 * channel's oldest change has waited.
 */
import type { CardRef, IntentRef } from '../../board/output.js';
import type { CallSnapshot } from '../../board/snapshot.js';
import { type ChannelPost, channelKey, type Slot, slotKey } from './board-messages.js';
import type { CompactMode } from './compact.js';

export class PendingWrites {
  readonly slots = new Map<string, Slot>();
  readonly notices: ChannelPost[] = [];

  constructor(private readonly now: () => number) {}

  /** A card's latest state, replacing what was pending. */
  /** `drawnAt`: the card version this state was drawn at in the store (its board change), if it was. */
  card(ref: CardRef, snapshot: CallSnapshot, messageTs: string | undefined, intent?: IntentRef, drawnAt?: number): void {
    const k = slotKey(ref);
    let slot = this.slots.get(k);
    if (!slot) {
      slot = { ref, snapshot, version: 0, sent: 0, dirtySince: this.now(), lines: [], ...(messageTs && { ts: messageTs }) };
      this.slots.set(k, slot);
    }
    if (slot.version === slot.sent) slot.dirtySince = this.now();
    slot.snapshot = snapshot;
    slot.drawnAt = drawnAt;
    slot.version++;
    // A post already attempted stays attempted through newer states (it may be in Slack).
    if (intent) slot.intent = { ...intent, attempted: intent.attempted || Boolean(slot.intent?.attempted) };
    if (!slot.ts && messageTs) slot.ts = messageTs;
  }

  /**
   * An audit line (Slack markup) for a card's thread: with the card's slot, or as a post in the
   * thread `messageTs`. False when it has nowhere to go (a card never posted has no thread).
   */
  line(ref: CardRef, text: string, messageTs?: string, intent?: IntentRef): boolean {
    const slot = this.slots.get(slotKey(ref));
    if (slot) slot.lines.push({ text, ...(intent && { intent }) });
    else if (messageTs) this.notices.push({ teamId: ref.teamId, channelId: ref.channelId, text, threadTs: messageTs, ...(intent && { intent }) });
    else return false;
    return true;
  }

  /** Drops everything owed. */
  clear(): void {
    this.slots.clear();
    this.notices.length = 0;
  }

  /** Drops what is owed to one channel. */
  forget(teamId: string, channelId: string): void {
    for (const [k, s] of this.slots) if (s.ref.teamId === teamId && s.ref.channelId === channelId) this.slots.delete(k);
    const kept = this.notices.filter((n) => n.teamId !== teamId || n.channelId !== channelId);
    this.notices.splice(0, this.notices.length, ...kept);
  }

  /** Cards with a change not yet in Slack. */
  get backlog(): number {
    let n = 0;
    for (const s of this.slots.values()) if (s.version > s.sent) n++;
    return n;
  }

  /** Cards of one channel (its channelKey) with a change not yet in Slack. */
  backlogOf(ch: string): number {
    let n = 0;
    for (const s of this.slots.values()) if (s.version > s.sent && channelKey(s.ref.teamId, s.ref.channelId) === ch) n++;
    return n;
  }

  /**
   * Writes a workspace owes Slack as updates: posted cards with a change not yet in Slack
   * (in a compact channel only ended ones are updated) and compact summaries with changes to show.
   */
  updatesWaiting(teamId: string, compact: CompactMode): number {
    let n = 0;
    for (const s of this.slots.values()) {
      if (s.ref.teamId !== teamId || !s.ts || s.version === s.sent) continue;
      if (s.snapshot.state === 'ended' || !compact.isCompact(channelKey(teamId, s.ref.channelId))) n++;
    }
    for (const ch of compact.channels()) {
      if (!ch.startsWith(`${teamId}|`)) continue;
      const due = compact.summaryDue(ch);
      if (due === 'update' || due === 'final' || compact.summaryWaitMs(ch) !== undefined) n++;
    }
    return n;
  }

  /** Per channel, the age in seconds of the oldest change not yet written (0 when the channel is current). */
  staleness(): Map<string, number> {
    const oldest = new Map<string, number>();
    for (const s of this.slots.values()) {
      const pending = s.version > s.sent ? s.dirtySince : Infinity;
      oldest.set(s.ref.channelId, Math.min(oldest.get(s.ref.channelId) ?? Infinity, pending));
    }
    const now = this.now();
    const ages = new Map<string, number>();
    for (const [channelId, since] of oldest) ages.set(channelId, since === Infinity ? 0 : Math.max(0, now - since) / 1000);
    return ages;
  }
}
