/**
 * The PBX's own record of every call state change, with the time it happened:
 * the ground truth a supervisor board is measured against (how long until a
 * card shows what the PBX did). After each request and each timer the log
 * compares every live call with what it last saw; a call that disappeared is
 * recorded as ended.
 */
import type { PhoneCall, PhoneCallView, World } from './world.js';

export type CallState = 'ringing' | 'on call' | 'on hold' | 'parked' | 'ended';

export interface CallChange {
  /** position in the log, from 1 */
  seq: number;
  /** Date.now() when the sandbox saw it */
  at: number;
  callId: string;
  /** the call's state in one word, as a card headline shows it */
  state: CallState;
  /** the views, compactly: `01 0003*210 5 hold`, one per view, `;`-separated */
  detail: string;
}

function viewDetail(v: PhoneCallView): string {
  const flags = [
    v.onHold !== undefined ? 'hold' : '', v.parked !== undefined ? `parked:${v.parkedPos ?? ''}` : '', v.mode ?? '',
  ].filter((f) => f !== '');
  return [v.id, v.extension, String(v.status), `${v.source.join(',')}>${v.destination.join(',')}`, ...flags].join(' ');
}

/** One word for the whole call: parked, on hold, on call or ringing (the call's own views, not whisper/listen legs). */
export function callState(call: PhoneCall): CallState {
  const own = call.views.filter((v) => v.mode === undefined || v.mode === 'voicemail');
  const views = own.length > 0 ? own : call.views;
  if (views.some((v) => v.parked !== undefined)) return 'parked';
  if (views.some((v) => v.onHold !== undefined)) return 'on hold';
  if (views.some((v) => v.status === 5)) return 'on call';
  return 'ringing';
}

export class ChangeLog {
  readonly changes: CallChange[] = [];
  private readonly seen = new Map<string, string>();
  private readonly listeners = new Set<(c: CallChange) => void>();

  constructor(private readonly world: World, private readonly limit = 100_000) {}

  /** Records what changed since the last check. */
  check(): void {
    const now = Date.now();
    for (const call of this.world.calls.values()) {
      const state = callState(call);
      const detail = call.views.map(viewDetail).join('; ');
      const key = `${state}|${detail}`;
      if (this.seen.get(call.id) === key) continue;
      this.seen.set(call.id, key);
      this.push({ at: now, callId: call.id, state, detail });
    }
    for (const id of [...this.seen.keys()]) {
      if (this.world.calls.has(id)) continue;
      this.seen.delete(id);
      this.push({ at: now, callId: id, state: 'ended', detail: '' });
    }
  }

  /** Calls `listener` with every change from now on; returns the unsubscribe function. */
  subscribe(listener: (c: CallChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Changes after `seq` (0 = all kept). */
  since(seq: number): CallChange[] {
    const first = this.changes[0]?.seq ?? 1;
    return this.changes.slice(Math.max(0, seq + 1 - first));
  }

  private push(c: Omit<CallChange, 'seq'>): void {
    const change: CallChange = { seq: (this.changes.at(-1)?.seq ?? 0) + 1, ...c };
    this.changes.push(change);
    if (this.changes.length > this.limit) this.changes.splice(0, this.changes.length - this.limit);
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // a listener's failure is its own
      }
    }
  }
}
