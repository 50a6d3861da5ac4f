/**
 * Call Events delivery: when a call reaches an extension, VoipNow requests the
 * URL of each enabled PhoneCallEvent of that extension and type, with the
 * parameters in the query string (method 0, GET) or a form-encoded body
 * (method 1, POST) — "Call Events" pages, reference §5.3.
 *
 * Fire and forget: a short timeout, failures are only logged. No signature or
 * retry policy is documented, so there is none. Deliveries run concurrently, so
 * they may arrive in any order. A `drop` fault skips a share of them.
 *
 * `stats` counts them and `idle()` resolves when none is in flight, so tests
 * wait for deliveries instead of sleeping.
 */
import type { CallSignal, PhoneCallEvent } from './world.js';

export const CALL_EVENT_TIMEOUT_MS = 3000;

/** The documented parameter names (CamelCase, as VoipNow sends them). */
export function callEventParams(s: CallSignal): Record<string, string> {
  const all: Record<string, string | undefined> = {
    CallID: s.callId,
    CallerIDNum: s.callerIdNum,
    CallerIDName: s.callerIdName,
    CalledDID: s.calledDid,
    CalledExtension: s.calledExtension,
    CallerExtension: s.callerExtension,
    CalledNumber: s.calledNumber,
    CallStatus: s.callStatus,
    CallFlow: s.callFlow,
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

export interface DeliveryStats {
  /** deliveries answered by the receiver (any HTTP status) */
  delivered: number;
  /** deliveries skipped by the dropEvents fault */
  dropped: number;
  /** deliveries that got no answer (connection refused, timeout) */
  failed: number;
  /** deliveries in flight */
  pending: number;
}

export class CallEventDispatcher {
  private readonly inflight = new Set<AbortController>();
  private readonly idleWaiters = new Set<() => void>();
  private closed = false;
  private readonly counts = { delivered: 0, dropped: 0, failed: 0 };

  constructor(
    private readonly events: () => readonly PhoneCallEvent[],
    private readonly log: (line: string) => void,
    private readonly timeoutMs = CALL_EVENT_TIMEOUT_MS,
    private readonly drop: () => boolean = () => false,
  ) {}

  get stats(): DeliveryStats {
    return { ...this.counts, pending: this.inflight.size };
  }

  /** Resolves once no delivery is in flight (at once when none is). */
  idle(): Promise<void> {
    if (this.inflight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  /** Delivers a signal to every enabled event of its extension and type. */
  dispatch(signal: CallSignal): void {
    if (this.closed) return;
    for (const ev of this.events()) {
      if (ev.extension === signal.extension && ev.type === signal.type && ev.status === 1) {
        if (this.drop()) {
          this.counts.dropped += 1;
          this.log(`call event ${ev.id} (type ${ev.type}) dropped (dropEvents fault)`);
          continue;
        }
        void this.deliver(ev, callEventParams(signal));
      }
    }
  }

  private async deliver(ev: PhoneCallEvent, params: Record<string, string>): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    this.inflight.add(controller);
    const url = new URL(ev.url);
    const where = `${url.origin}${url.pathname}`; // no query: it may carry secrets
    try {
      let res: Response;
      if (ev.method === 1) {
        res = await fetch(url, {
          method: 'POST',
          signal: controller.signal,
          body: new URLSearchParams(params),
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        });
      } else {
        for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
        res = await fetch(url, { method: 'GET', signal: controller.signal });
      }
      await res.body?.cancel();
      this.counts.delivered += 1;
      this.log(`call event ${ev.id} (type ${ev.type}) ${ev.method === 1 ? 'POST' : 'GET'} ${where} -> ${res.status}`);
    } catch (err) {
      this.counts.failed += 1;
      if (!this.closed) {
        this.log(`call event ${ev.id} (type ${ev.type}) ${where} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    } finally {
      clearTimeout(timer);
      this.inflight.delete(controller);
      this.wakeIdle();
    }
  }

  private wakeIdle(): void {
    if (this.inflight.size > 0) return;
    for (const wake of this.idleWaiters) wake();
    this.idleWaiters.clear();
  }

  /** Aborts deliveries in flight; later signals are dropped. */
  close(): void {
    this.closed = true;
    for (const c of this.inflight) c.abort();
    this.inflight.clear();
    this.wakeIdle();
  }
}
