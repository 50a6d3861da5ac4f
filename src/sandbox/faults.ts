/**
 * Fault injection for /uapi requests: added latency, a share of 500 answers,
 * and hanging (no answer until the faults change or the sandbox closes); and
 * for call events: a share of deliveries dropped.
 */
import { ApiError } from './errors.js';
import { seededRandom } from './random.js';

export interface SandboxFaults {
  latencyMs?: number;
  /** 0..1 share of /uapi requests answered 500 internal_server_error */
  errorRate?: number;
  /** /uapi requests never answer until faults change or close() */
  hang?: boolean;
  /** /uapi GET requests whose path ends with this (`/<call id>`: reads of one call) never answer until faults change or close() */
  hangReadsEndingWith?: string;
  /** the next N /uapi requests answer 500 internal_server_error (deterministic, for retry tests) */
  failNext?: number;
  /** the next N /uapi requests get no answer: the connection is dropped (a network error) */
  dropNext?: number;
  /** every /uapi request answers 429 too_many_requests with `Retry-After: <seconds>` */
  rateLimitSec?: number;
  /** 0..1 share of call event deliveries dropped (never sent) */
  dropEvents?: number;
  /** seeds the random choice of dropped deliveries, for repeatable tests */
  seed?: number;
}

/** Thrown when the sandbox closes while a request waits; the connection is then dropped. */
export class SandboxClosed extends Error {}

export function validateFaults(raw: unknown): SandboxFaults {
  const f = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const out: SandboxFaults = {};
  if (f.latencyMs !== undefined) {
    if (typeof f.latencyMs !== 'number' || !(f.latencyMs >= 0)) throw new ApiError('request_invalid', 'latencyMs must be a number >= 0.');
    out.latencyMs = f.latencyMs;
  }
  if (f.errorRate !== undefined) {
    if (typeof f.errorRate !== 'number' || !(f.errorRate >= 0 && f.errorRate <= 1)) throw new ApiError('request_invalid', 'errorRate must be a number from 0 to 1.');
    out.errorRate = f.errorRate;
  }
  if (f.hang !== undefined) {
    if (typeof f.hang !== 'boolean') throw new ApiError('request_invalid', 'hang must be a boolean.');
    out.hang = f.hang;
  }
  if (f.hangReadsEndingWith !== undefined) {
    if (typeof f.hangReadsEndingWith !== 'string' || f.hangReadsEndingWith === '') throw new ApiError('request_invalid', 'hangReadsEndingWith must be a non-empty string.');
    out.hangReadsEndingWith = f.hangReadsEndingWith;
  }
  for (const k of ['failNext', 'dropNext', 'rateLimitSec'] as const) {
    const v = f[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ApiError('request_invalid', `${k} must be a whole number >= 0.`);
    out[k] = v;
  }
  if (f.dropEvents !== undefined) {
    if (typeof f.dropEvents !== 'number' || !(f.dropEvents >= 0 && f.dropEvents <= 1))
      throw new ApiError('request_invalid', 'dropEvents must be a number from 0 to 1, e.g. 0.2 drops a fifth of the call events.');
    out.dropEvents = f.dropEvents;
  }
  if (f.seed !== undefined) {
    if (typeof f.seed !== 'number' || !Number.isInteger(f.seed)) throw new ApiError('request_invalid', 'seed must be an integer.');
    out.seed = f.seed;
  }
  return out;
}

export class FaultGate {
  private faults: SandboxFaults;
  private closed = false;
  private readonly waiters = new Set<() => void>();
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();

  private dropRandom: () => number;

  constructor(
    faults: SandboxFaults | undefined,
    private readonly random: () => number,
  ) {
    this.faults = { ...faults };
    this.dropRandom = faults?.seed === undefined ? random : seededRandom(faults.seed);
  }

  get current(): SandboxFaults {
    return { ...this.faults };
  }

  set(faults: SandboxFaults): void {
    this.faults = { ...faults };
    this.dropRandom = faults.seed === undefined ? this.random : seededRandom(faults.seed);
    this.wakeAll();
  }

  /** Whether to drop this call event delivery (dropEvents). */
  dropEvent(): boolean {
    const share = this.faults.dropEvents ?? 0;
    return share > 0 && this.dropRandom() < share;
  }

  /** Waits out hang and latency, then maybe fails; throws SandboxClosed on close(). */
  async pass(request?: { method: string; path: string }): Promise<void> {
    while (this.faults.hang || this.hangs(request)) await this.nextChange();
    const latency = this.faults.latencyMs ?? 0;
    if (latency > 0) await this.sleep(latency);
    if (this.closed) throw new SandboxClosed();
    if (this.faults.dropNext) {
      this.faults.dropNext -= 1;
      throw new SandboxClosed();
    }
    if (this.faults.failNext) {
      this.faults.failNext -= 1;
      throw new ApiError('internal_server_error');
    }
    if (this.faults.rateLimitSec !== undefined) {
      const err = new ApiError('too_many_requests');
      err.headers = { 'Retry-After': String(this.faults.rateLimitSec) };
      throw err;
    }
    if ((this.faults.errorRate ?? 0) > 0 && this.random() < (this.faults.errorRate ?? 0)) {
      throw new ApiError('internal_server_error');
    }
  }

  private hangs(request: { method: string; path: string } | undefined): boolean {
    const end = this.faults.hangReadsEndingWith;
    return end !== undefined && request !== undefined && request.method === 'GET' && request.path.endsWith(end);
  }

  /** Ends every wait (requests waiting throw SandboxClosed). */
  close(): void {
    this.closed = true;
    this.wakeAll();
    for (const [timer, wake] of this.sleepers) {
      clearTimeout(timer);
      wake();
    }
    this.sleepers.clear();
  }

  private wakeAll(): void {
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  private nextChange(): Promise<void> {
    if (this.closed) return Promise.reject(new SandboxClosed());
    return new Promise((resolve, reject) => {
      this.waiters.add(() => (this.closed ? reject(new SandboxClosed()) : resolve()));
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        resolve();
      }, ms);
      this.sleepers.set(timer, resolve);
    });
  }
}
