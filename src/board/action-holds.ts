/**
 * Actions from Slack under way on calls the board shows. While one is, a read that sees the
 * call change holds the change back: the action's read-back tells it, with the action's own
 * line (who did it), so the change is told once. The hold ends with the action's read-back or
 * its failure (same id), or after a deadline, when reads apply normally again. The messages
 * that start and end a hold may arrive in any order (another replica's queue): an end that
 * came first keeps a late start from holding anything. Another replica's start is also learnt
 * from the store (recorded with the action's claims before its request went out), when a read sees
 * the call change before that start arrived.
 */

/** How long an action may hold back what the board reads of its call. */
export const ACTION_HOLD_MS = 10_000;

export class ActionHolds {
  /** Per call: the actions under way (by id) and until when each holds. */
  private readonly holds = new Map<string, Map<string, number>>();
  /** Actions that ended, until when a late start of theirs is ignored. */
  private readonly ended = new Map<string, number>();
  /** Calls whose change a read held back: read them again once the hold ends. */
  private readonly deferred = new Set<string>();

  constructor(
    private readonly now: () => number,
    private readonly holdMs = ACTION_HOLD_MS,
  ) {}

  /** An action on the call started; `until`: its hold as recorded where it started (default: the hold time from now). */
  start(phoneCallId: string, actionId: string, until?: number): void {
    const now = this.now();
    this.prune(now);
    if (this.ended.has(actionId)) return;
    const ends = Math.min(until ?? now + this.holdMs, now + this.holdMs);
    if (ends < now) return;
    const of = this.holds.get(phoneCallId) ?? new Map<string, number>();
    of.set(actionId, Math.max(of.get(actionId) ?? 0, ends));
    this.holds.set(phoneCallId, of);
  }

  /**
   * Learns the actions under way on these calls that another replica started and whose start has
   * not reached this board yet: `recorded` answers them as their claims recorded them in the store.
   */
  async learn(phoneCallIds: readonly string[], recorded: (ids: readonly string[]) => Promise<ReadonlyArray<{ phoneCallId: string; actionId: string; until: Date }>>): Promise<void> {
    if (phoneCallIds.length === 0) return;
    for (const h of await recorded(phoneCallIds)) this.start(h.phoneCallId, h.actionId, h.until.getTime());
  }

  /** Whether an action on the call is known to be under way here (nothing is deferred by asking). */
  holding(phoneCallId: string): boolean {
    const now = this.now();
    for (const until of this.holds.get(phoneCallId)?.values() ?? []) if (until >= now) return true;
    return false;
  }

  /** The action ended (read back, failed or uncertain). True when a read was held back meanwhile. */
  end(phoneCallId: string, actionId: string): boolean {
    const now = this.now();
    this.prune(now);
    this.ended.set(actionId, now + this.holdMs);
    const of = this.holds.get(phoneCallId);
    of?.delete(actionId);
    if (of?.size) return false;
    this.holds.delete(phoneCallId);
    return this.deferred.delete(phoneCallId);
  }

  /** Whether a read of the call now holds its change back (and is then owed a re-read). */
  holdsBack(phoneCallId: string): boolean {
    const now = this.now();
    const of = this.holds.get(phoneCallId);
    if (!of) return false;
    for (const [id, until] of of) if (until < now) of.delete(id);
    if (of.size === 0) {
      this.holds.delete(phoneCallId);
      this.deferred.delete(phoneCallId);
      return false;
    }
    this.deferred.add(phoneCallId);
    return true;
  }

  private prune(now: number): void {
    for (const [call, of] of this.holds) {
      for (const [id, until] of of) if (until < now) of.delete(id);
      if (of.size === 0) {
        this.holds.delete(call);
        this.deferred.delete(call);
      }
    }
    for (const [id, until] of this.ended) {
      if (until >= now) break; // oldest first
      this.ended.delete(id);
    }
  }
}
