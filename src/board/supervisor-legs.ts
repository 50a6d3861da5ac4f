/**
 * The supervisor legs callops started from Slack, per call: VoipNow's PhoneCallView does not
 * say that a view is a whisper or a listen, so a card knows it from here (snapshot.ts reads
 * them). Kept while the call has a card; beyond a cap, the oldest calls without one go.
 */
import type { LegHint } from './snapshot.js';

/** Backstop on calls with supervisor-leg hints but no card here (a hint for a call no watch ever lists). */
const MAX_HINTED_CALLS = 1000;

export class SupervisorLegs {
  private readonly hints = new Map<string, LegHint[]>();

  /** @param hasCard whether a call has a card (its hints are then kept whatever the cap). */
  constructor(private readonly hasCard: (phoneCallId: string) => boolean) {}

  of(phoneCallId: string): LegHint[] | undefined {
    return this.hints.get(phoneCallId);
  }

  /** A leg started from `hint.from`: replaces what was known of that phone's leg on the call. */
  add(phoneCallId: string, hint: LegHint): void {
    const list = (this.hints.get(phoneCallId) ?? []).filter((h) => h.from !== hint.from);
    this.hints.delete(phoneCallId);
    this.hints.set(phoneCallId, [...list, hint]);
    // Oldest first; a call with a card keeps its hints (they go when the card ends).
    for (const id of this.hints.keys()) {
      if (this.hints.size <= MAX_HINTED_CALLS) break;
      if (!this.hasCard(id)) this.hints.delete(id);
    }
  }

  /** The legs a card's memory in the store names (after a restart); anything else there is ignored. */
  restore(phoneCallId: string, stored: unknown): void {
    if (!Array.isArray(stored)) return;
    for (const h of stored as Array<Partial<LegHint> | null>) {
      if (typeof h?.from !== 'string') continue;
      this.hints.set(phoneCallId, [...(this.hints.get(phoneCallId) ?? []).filter((x) => x.from !== h.from), h as LegHint]);
    }
  }

  forget(phoneCallId: string): void {
    this.hints.delete(phoneCallId);
  }

  get size(): number {
    return this.hints.size;
  }
}
