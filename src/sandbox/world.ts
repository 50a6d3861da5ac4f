/**
 * The live state of the sandbox PBX: organizations, users, extensions, live
 * phone calls, phone call events (webhook registrations) and the timers that
 * move calls along (ringing → answered, waitForPickup expiry, parking expiry).
 *
 * Field names and value sets follow the PhoneCalls / PhoneCallEvents resource
 * pages of 4PSA's VoipNow UAPI documentation (the PhoneCall fields, the views, the events).
 */
import type { Organization, User, Extension, PhoneCallView, PhoneCall, PhoneCallEvent, CallSignal, Leg, RingSpec, SeedData } from './model.js';
import { splitCallerId } from './formats.js';

export { EVENT_ID_LENGTH, isoDate, newCallId, newEventId } from './formats.js';
export type { ExtensionType, User, Extension, PhoneCallView, PhoneCall, PhoneCallEvent, CallSignal, SeedData } from './model.js';

export const DEFAULT_WAIT_FOR_PICKUP_SEC = 25;

/** Flow of a view from its parties: 8 incoming public, 4 outgoing public, 2 local. */
export function flowOf(world: World, source: string[], destination: string[]): number {
  const isPublic = (n: string) => !world.extensions.has(n);
  if (source.some(isPublic)) return 8;
  if (destination.some(isPublic)) return 4;
  return 2;
}

interface PendingRing {
  timer: NodeJS.Timeout;
  rollback: () => void;
  answerNow: () => void;
}

export interface WorldOptions {
  pickupDelayMs: number;
  /** how long one second of maxInParking lasts, in ms (default 1000; tests shorten it) */
  parkingSecondMs?: number;
  onSignal?: (signal: CallSignal) => void;
  log?: (line: string) => void;
  /** after a timer (or generated traffic) may have changed calls; see changes.ts */
  onChange?: () => void;
  /** starting data, rebuilt by reset() */
  seed: () => SeedData;
}

export class World {
  readonly orgs = new Map<string, Organization>();
  readonly users = new Map<string, User>();
  readonly extensions = new Map<string, Extension>();
  readonly calls = new Map<string, PhoneCall>();
  events: PhoneCallEvent[] = [];
  pickupDelayMs: number;
  readonly parkingSecondMs: number;

  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly rings = new Map<string, PendingRing>();

  constructor(private readonly opts: WorldOptions) {
    this.pickupDelayMs = opts.pickupDelayMs;
    this.parkingSecondMs = opts.parkingSecondMs ?? 1000;
    this.reset();
  }

  /** Back to the starting data; cancels every timer. */
  reset(): void {
    this.dispose();
    const seed = this.opts.seed();
    for (const map of [this.orgs, this.users, this.extensions, this.calls] as Map<string, unknown>[]) map.clear();
    for (const o of seed.orgs) this.orgs.set(o.id, o);
    for (const u of seed.users) this.users.set(u.id, u);
    for (const e of seed.extensions) this.extensions.set(e.number, e);
    for (const c of seed.calls) this.calls.set(c.id, c);
    this.events = seed.events;
  }

  /** Cancels every timer (used by reset() and the server's close()). */
  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const r of this.rings.values()) clearTimeout(r.timer);
    this.timers.clear();
    this.rings.clear();
  }

  // ---------------------------------------------------------------- lookups

  org(id: string): Organization | undefined {
    return this.orgs.get(id);
  }

  /** Every extension a user may act on: their own, or all of the organization for an Organization account. */
  extensionsOf(user: User): Extension[] {
    return [...this.extensions.values()].filter((e) => (user.role === 'organization' ? e.orgId === user.orgId : e.ownerId === user.id));
  }

  mayUseExtension(user: User, ext: Extension): boolean {
    return ext.ownerId === user.id || (user.role === 'organization' && ext.orgId === user.orgId);
  }

  /**
   * Canonical extended number for `0003*210`, or for the short form `210`
   * within the given organization; undefined when no such extension exists.
   */
  findExtension(input: string, orgId?: string): Extension | undefined {
    const exact = this.extensions.get(input);
    if (exact) return exact;
    const code = orgId ? this.orgs.get(orgId)?.code : undefined;
    if (code && /^\d{3}$/.test(input)) return this.extensions.get(`${code}*${input}`);
    return undefined;
  }

  /** Parties of a call: charged extension, view extensions, sources and destinations. */
  involves(call: PhoneCall, number: string): boolean {
    return call.extension === number || call.views.some((v) => v.extension === number || v.source.includes(number) || v.destination.includes(number));
  }

  /** Calls involving any of the numbers, oldest first ("always ordered by their publish time"). */
  callsOf(numbers: string[]): PhoneCall[] {
    return [...this.calls.values()].filter((c) => numbers.some((n) => this.involves(c, n))).sort((a, b) => a.published.localeCompare(b.published));
  }

  view(call: PhoneCall, viewId: string): PhoneCallView | undefined {
    return call.views.find((v) => v.id === viewId);
  }

  nextViewId(call: PhoneCall): string {
    const max = call.views.reduce((m, v) => Math.max(m, Number.parseInt(v.id, 10) || 0), 0);
    return String(max + 1).padStart(2, '0');
  }

  nextParkingPosition(orgId: string): number {
    const used = new Set<number>();
    for (const c of this.calls.values()) {
      if (c.ownerId !== orgId) continue;
      for (const v of c.views) if (v.parkedPos !== undefined) used.add(v.parkedPos);
    }
    let pos = 1;
    while (used.has(pos)) pos += 1;
    return pos;
  }

  /** Would this number pick up within waitForPickup? Public numbers always do. */
  answers(number: string, waitForPickupSec: number, delayMs: number = this.pickupDelayMs): boolean {
    const ext = this.extensions.get(number);
    return (ext ? ext.answers : true) && delayMs < waitForPickupSec * 1000;
  }

  // ----------------------------------------------------------------- timers

  /** Runs `fn` after `ms` under `key`, replacing (without running) any timer with that key. */
  schedule(key: string, ms: number, fn: () => void): void {
    this.cancel(key);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.guard(key, fn);
    }, ms);
    this.timers.set(key, timer);
  }

  cancel(key: string): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.log?.(`sandbox: timer ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.changed();
  }

  /** Tells the change log (changes.ts) that calls may have changed outside a request. */
  changed(): void {
    this.opts.onChange?.();
  }

  /**
   * Rings `target`. After pickupDelayMs the target answers (onAnswer) unless it
   * never answers or waitForPickup runs out first, in which case the attempt is
   * cancelled after waitForPickup seconds (onCancel). Emits call events for `leg`.
   */
  ring(spec: RingSpec): void {
    const key = `${spec.call.id}:${spec.key}`;
    this.dropRing(key, true);
    if (spec.leg) this.signalLeg(spec.call, spec.leg, 'start');
    const delayMs = spec.answerAfterMs ?? this.pickupDelayMs;
    const answers = this.answers(spec.target, spec.waitForPickupSec, delayMs);
    const ms = answers ? delayMs : spec.waitForPickupSec * 1000;
    const settle = (answered: boolean) => {
      this.rings.delete(key);
      if (!this.calls.has(spec.call.id)) return;
      this.guard(key, () => {
        if (answered) spec.onAnswer();
        else spec.onCancel();
        if (spec.leg) this.signalLeg(spec.call, spec.leg, answered ? 'answer' : 'unanswered');
      });
    };
    const timer = setTimeout(() => settle(answers), ms);
    this.rings.set(key, {
      timer,
      rollback: spec.onCancel,
      answerNow: () => {
        clearTimeout(timer);
        settle(true);
      },
    });
  }

  /** Keys of the call's pending rings: its own progress (`ring:`) first, then actions' rings. */
  ringsOf(callId: string): string[] {
    const keys = [...this.rings.keys()].filter((k) => k.startsWith(`${callId}:`));
    return [...keys.filter((k) => k.includes(':ring:')), ...keys.filter((k) => !k.includes(':ring:'))];
  }

  /** The ringing phone picks up now (a desk answer); false when nothing rings under `key`. */
  answerRing(key: string): boolean {
    const pending = this.rings.get(key);
    if (!pending) return false;
    pending.answerNow();
    return true;
  }

  /** Keys of the rings still pending for a call (a phone rung by an action that has not answered yet). */
  pendingRings(callId: string): string[] {
    const prefix = `${callId}:`;
    return [...this.rings.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }

  /** Stops a pending ring; `rollback` undoes its intermediate state. */
  dropRing(key: string, rollback: boolean): void {
    const pending = this.rings.get(key);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.rings.delete(key);
    if (rollback) this.guard(key, pending.rollback);
  }

  /** Ends a call: cancels its timers, removes it and, if `signal`, fires Hangup events. */
  hangup(call: PhoneCall, signal = true): void {
    const prefix = `${call.id}:`;
    for (const key of [...this.timers.keys()]) if (key.startsWith(prefix)) this.cancel(key);
    for (const key of [...this.rings.keys()]) if (key.startsWith(prefix)) this.dropRing(key, false);
    if (!this.calls.delete(call.id) || !signal) return;
    // One Hangup event per local extension taking part; CallFlow IN when it was called.
    const seen = new Set<string>();
    for (const v of call.views) {
      for (const n of [...v.source, ...v.destination]) {
        if (seen.has(n) || !this.extensions.has(n)) continue;
        seen.add(n);
        const leg: Leg = { caller: v.source[0] ?? '', called: v.destination[0] ?? '', callerId: v.callerId };
        this.emit(2, n, call, leg, call.answered ? 'ANSWER' : 'UNKNOWN', v.destination.includes(n) ? 'IN' : 'OUT');
      }
    }
  }

  // ---------------------------------------------------------------- signals

  /** Dial-In/Dial-Out on start, Answer on answer, Hangup (UNKNOWN) when a ring is not answered. */
  signalLeg(call: PhoneCall, leg: Leg, phase: 'start' | 'answer' | 'unanswered'): void {
    const [outType, inType, status] = phase === 'start' ? ([1, 0, 'CALLING'] as const) : phase === 'answer' ? ([4, 3, 'ANSWER'] as const) : ([2, 2, 'UNKNOWN'] as const);
    this.emit(outType, leg.caller, call, leg, status, 'OUT');
    this.emit(inType, leg.called, call, leg, status, 'IN');
  }

  private emit(type: CallSignal['type'], number: string, call: PhoneCall, leg: Leg, callStatus: CallSignal['callStatus'], callFlow: CallSignal['callFlow']): void {
    if (!this.opts.onSignal || !this.extensions.has(number)) return;
    const callerExt = this.extensions.get(leg.caller);
    const calledExt = this.extensions.get(leg.called);
    const cid = splitCallerId(leg.callerId ?? callerExt?.callerId ?? `<${leg.caller}>`);
    const signal: CallSignal = {
      type,
      extension: number,
      callId: call.id,
      callerIdName: cid.name,
      callerIdNum: cid.num || leg.caller,
      callerExtension: callerExt?.number,
      calledExtension: calledExt?.number,
      calledDid: calledExt?.did,
      calledNumber: leg.called,
      callStatus,
      callFlow,
    };
    this.guard('signal', () => this.opts.onSignal?.(signal));
  }
}
