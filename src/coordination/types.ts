/**
 * Coordination between replicas: a job queue (work that must run once, on whichever replica
 * is free, and survive a restart) and leases (work that must run on exactly one replica at a
 * time, such as polling a watched extension). Two implementations of each: PostgreSQL
 * (pg-boss, a leases table) when DATABASE_URL is set, and in-process for the embedded SQLite
 * default. One contract test suite runs against both (test/coordination.test.ts).
 */

export interface Job<T> {
  id: string;
  queue: string;
  data: T;
}

export interface SendOptions {
  /** Run no earlier than this (a Date, or milliseconds from now). */
  startAfter?: Date | number;
  /**
   * Idempotency key: the first job sent with a key is accepted, later sends with the same key
   * (on any replica, for at least 12 hours) are dropped and answer undefined.
   */
  key?: string;
  /** How many times a failed job is tried again (default 2). */
  retryLimit?: number;
}

export type JobHandler<T> = (job: Job<T>) => Promise<void>;

export interface QueueStats {
  /** Jobs waiting (not started yet, including retries). */
  depth: number;
  /** Age of the oldest waiting job in seconds (0 when none). */
  oldestAgeSeconds: number;
}

export interface JobQueue {
  start(): Promise<void>;
  /** The job's id, or undefined when a job with the same key was already accepted. */
  send<T extends object>(queue: string, data: T, options?: SendOptions): Promise<string | undefined>;
  /** Handles jobs of `queue` one at a time; a job is given to exactly one worker of all replicas. */
  work<T extends object>(queue: string, handler: JobHandler<T>): Promise<void>;
  stats(queue: string): Promise<QueueStats>;
  /** Stops working `queue` here and deletes it with its waiting jobs (a replica's own queue, at shutdown). */
  remove(queue: string): Promise<void>;
  /** Every queue that exists now (sent to or worked by any peer, and not removed), by name. */
  queues(): Promise<string[]>;
  /** Stops taking jobs and waits for running handlers to finish. */
  stop(): Promise<void>;
}

export interface LeaseManager {
  /**
   * Takes `key` for `owner` for `ttlMs` if it is free, expired or already `owner`'s (a renewal).
   * True when `owner` holds it now.
   */
  acquire(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /**
   * As acquire, answering the lease's epoch when `owner` holds it (undefined when not). The epoch
   * goes up each time the lease changes owner (never down, also across releases), so writes made
   * under an older epoch can be told apart and refused (fencing).
   */
  acquireEpoch(key: string, owner: string, ttlMs: number): Promise<number | undefined>;
  /** Gives the lease back (only if `owner` holds it), so another replica can take it at once. */
  release(key: string, owner: string): Promise<void>;
  /** Who holds `key` now, if anyone (expired leases are free). */
  holder(key: string): Promise<string | undefined>;
  close(): Promise<void>;
}
