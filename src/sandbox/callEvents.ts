/**
 * Call Events delivery: when a call reaches an extension, VoipNow requests the
 * URL of each enabled PhoneCallEvent of that extension and type, with the
 * parameters in the query string (method 0, GET) or a form-encoded body
 * (method 1, POST) — "Call Events" pages, reference §5.3.
 *
 * Fire and forget: a short timeout, failures are only logged. No signature or
 * retry policy is documented, so there is none.
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

export class CallEventDispatcher {
  private readonly inflight = new Set<AbortController>();
  private readonly deliveries = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly events: () => readonly PhoneCallEvent[],
    private readonly log: (line: string) => void,
    private readonly timeoutMs = CALL_EVENT_TIMEOUT_MS,
  ) {}

  /** Delivers a signal to every enabled event of its extension and type. */
  dispatch(signal: CallSignal): void {
    if (this.closed) return;
    for (const ev of this.events()) {
      if (ev.extension === signal.extension && ev.type === signal.type && ev.status === 1) {
        const delivery = this.deliver(ev, callEventParams(signal)).finally(() => this.deliveries.delete(delivery));
        this.deliveries.add(delivery);
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
          method: 'POST', signal: controller.signal, body: new URLSearchParams(params),
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        });
      } else {
        for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
        res = await fetch(url, { method: 'GET', signal: controller.signal });
      }
      await res.body?.cancel();
      this.log(`call event ${ev.id} (type ${ev.type}) ${ev.method === 1 ? 'POST' : 'GET'} ${where} -> ${res.status}`);
    } catch (err) {
      if (!this.closed) {
        this.log(`call event ${ev.id} (type ${ev.type}) ${where} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    } finally {
      clearTimeout(timer);
      this.inflight.delete(controller);
    }
  }

  /** Resolves once no delivery is in flight (a drain point for tests). */
  async idle(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.allSettled([...this.deliveries]);
  }

  /** Aborts deliveries in flight; later signals are dropped. */
  close(): void {
    this.closed = true;
    for (const c of this.inflight) c.abort();
    this.inflight.clear();
  }
}
