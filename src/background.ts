/**
 * Work that runs after a request was answered (ring follow-ups, card syncs,
 * board writes, deferred re-reads). Everything that starts such work registers
 * it here, so shutdown and tests have one drain point: `idle()` resolves when
 * nothing is pending, including work started by work that was pending.
 */
export class Background {
  private readonly pending = new Set<Promise<unknown>>();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  constructor(private readonly onError: (err: unknown) => void = () => undefined) {}

  /** Track a promise until it settles; its rejection goes to `onError`, never unhandled. */
  track(work: Promise<unknown>): void {
    const p = work.catch((err: unknown) => this.onError(err)).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Run `fn` after `ms`, tracked from now on; dropped on `close()`. Returns false once closed. */
  later(ms: number, fn: () => Promise<unknown> | undefined): boolean {
    if (this.closed) return false;
    let done!: () => void;
    const waiting = new Promise<void>((resolve) => (done = resolve));
    const t = setTimeout(() => {
      this.timers.delete(t);
      try {
        const r = fn();
        if (r) this.track(r);
      } catch (err) {
        this.onError(err);
      }
      done();
    }, ms);
    t.unref();
    this.timers.set(t, done);
    this.track(waiting);
    return true;
  }

  /** How many promises and timers are pending. */
  get size(): number {
    return this.pending.size;
  }

  /** Resolves once nothing is pending (work that schedules more work is waited for too). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Cancel timers not yet fired, refuse new ones, and wait for what is running. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [t, done] of this.timers) {
      clearTimeout(t);
      done();
    }
    this.timers.clear();
    await this.idle();
  }
}
