/**
 * Keeps this replica competing for a set of leases (e.g. one per watched extension): every
 * `renewEveryMs` it takes the free or expired ones and renews its own, and says when it gains
 * or loses one. Exactly one replica holds a key at a time; when it dies, its leases expire
 * and another replica's next round takes them (within ttlMs + renewEveryMs).
 */
import type { LeaseManager } from './types.js';

export interface LeaseKeeperOptions {
  leases: LeaseManager;
  /** This replica's id, unique among replicas (e.g. host name + pid + random). */
  owner: string;
  /** Default 6000. */
  ttlMs?: number;
  /** Default 2000; must be well under ttlMs. */
  renewEveryMs?: number;
  /** With the lease's epoch, which goes up at every change of owner (fence writes with it). */
  onGained?: (key: string, epoch: number) => void;
  onLost?: (key: string) => void;
  onError?: (err: unknown) => void;
}

/** `work`, or a rejection once `ms` have passed without an answer. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('lease: no answer before the lease expires')), Math.max(0, ms));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export class LeaseKeeper {
  readonly #o: Required<Omit<LeaseKeeperOptions, 'leases' | 'owner'>> & Pick<LeaseKeeperOptions, 'leases' | 'owner'>;
  readonly #wanted = new Set<string>();
  /** Held keys and when each was last renewed (local clock). */
  readonly #held = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #stopped = true;

  constructor(options: LeaseKeeperOptions) {
    this.#o = { ttlMs: 6000, renewEveryMs: 2000, onGained: () => undefined, onLost: () => undefined, onError: () => undefined, ...options };
  }

  /** The keys this replica competes for from now on (others it holds are released next round). */
  want(keys: Iterable<string>): void {
    this.#wanted.clear();
    for (const k of keys) this.#wanted.add(k);
  }

  held(): string[] {
    return [...this.#held.keys()].sort();
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const loop = () => {
      this.#round = this.tick().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(loop, this.#o.renewEveryMs);
      });
    };
    loop();
  }

  /** One round: take, renew, release. Exposed so callers can run one at once (e.g. after want()). */
  async tick(): Promise<void> {
    const { leases, owner, ttlMs } = this.#o;
    for (const key of [...this.#held.keys()]) {
      if (this.#wanted.has(key)) continue;
      this.#lose(key);
      await leases.release(key, owner).catch(this.#o.onError);
    }
    for (const key of this.#wanted) {
      try {
        // A hanging connection must not keep a lease in this replica's mind past its expiry.
        const renewed = this.#held.get(key);
        const epoch = await withDeadline(leases.acquireEpoch(key, owner, ttlMs), renewed === undefined ? ttlMs : renewed + ttlMs - Date.now());
        if (epoch !== undefined) {
          const had = this.#held.has(key);
          this.#held.set(key, Date.now());
          if (!had) this.#o.onGained(key, epoch);
        } else if (this.#held.has(key)) {
          this.#lose(key);
        }
      } catch (err) {
        this.#o.onError(err);
        // Could not renew: once the lease may have expired, another replica may hold it.
        const renewed = this.#held.get(key);
        if (renewed !== undefined && Date.now() - renewed >= ttlMs) this.#lose(key);
      }
    }
  }

  /** Stops competing and hands every held lease back, so others take over at once. */
  async stop(): Promise<void> {
    this.#halt();
    await this.#round;
    const keys = [...this.#held.keys()];
    for (const key of keys) this.#lose(key);
    await Promise.all(keys.map((key) => this.#o.leases.release(key, this.#o.owner).catch(this.#o.onError)));
  }

  /** Stops without releasing, as a crashed replica would (tests; the leases then expire). */
  async abandon(): Promise<void> {
    this.#halt();
    await this.#round;
    this.#held.clear();
  }

  #halt(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #lose(key: string): void {
    if (this.#held.delete(key)) this.#o.onLost(key);
  }
}
