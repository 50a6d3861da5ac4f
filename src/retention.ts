/**
 * Nothing grows without bound: every `everyMs` one replica (whichever takes the `retention`
 * lease for that period; the lease is not handed back, so the others skip the round) deletes
 * what an ended call no longer needs once it is older than the retention window (ended board
 * cards with their audit lines and outbox intents, call cards), and the claims, OAuth states and open modals whose
 * own expiry has passed; with replicas, also the job queues left over by replicas that are gone
 * (see coordination/replica-queues.ts). The clock is injected, so tests run days of traffic in a moment.
 */
import type { LeaseManager } from './coordination/index.js';
import type { PurgeCounts, RetentionStore } from './store/index.js';

export const RETENTION_LEASE = 'retention';

/** What one sweep removed: rows per table, and (when it retires queues) how many queues. */
export type SweepCounts = PurgeCounts & { queues?: number };

export interface RetentionSweeperOptions {
  store: RetentionStore;
  leases: LeaseManager;
  /** This replica's id among replicas. */
  owner: string;
  /** How long an ended call's cards and audit lines are kept (RETENTION_DAYS). */
  retentionMs: number;
  /** How often a sweep runs somewhere (default one hour). */
  everyMs?: number;
  now?: () => number;
  /** Removes the job queues nobody uses any more, answering their names (with replicas: left by replicas that are gone). */
  retireQueues?: () => Promise<string[]>;
  onSwept?: (counts: SweepCounts) => void;
  onError?: (err: unknown) => void;
}

export class RetentionSweeper {
  readonly #o: RetentionSweeperOptions;
  readonly #everyMs: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;

  constructor(options: RetentionSweeperOptions) {
    if (!(options.retentionMs > 0)) throw new RangeError('RetentionSweeper: retentionMs must be positive');
    this.#o = options;
    this.#everyMs = Math.max(1000, options.everyMs ?? 60 * 60 * 1000);
    this.#now = options.now ?? Date.now;
  }

  /** One round: the rows deleted, or undefined when another replica sweeps this period. */
  async sweep(): Promise<SweepCounts | undefined> {
    const { leases, owner, store, retentionMs, retireQueues } = this.#o;
    // Held for a little less than a period, so exactly one replica sweeps each period.
    if (!(await leases.acquire(RETENTION_LEASE, owner, this.#everyMs - 500))) return undefined;
    const now = this.#now();
    const purged = await store.purgeExpired(new Date(now - retentionMs), new Date(now));
    const counts: SweepCounts = retireQueues ? { ...purged, queues: (await retireQueues()).length } : purged;
    this.#o.onSwept?.(counts);
    return counts;
  }

  start(): void {
    if (this.#timer) return;
    const round = () => {
      this.#running = this.sweep().catch((err: unknown) => this.#o.onError?.(err));
    };
    this.#timer = setInterval(round, this.#everyMs);
    this.#timer.unref();
    round();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
