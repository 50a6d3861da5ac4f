/**
 * In-process job queue and leases, for the embedded default (one process on SQLite): the
 * same contract as the PostgreSQL implementations, without a database.
 */
import { randomUUID } from 'node:crypto';
import type { Job, JobHandler, JobQueue, LeaseManager, QueueStats, SendOptions } from './types.js';

interface Waiting {
  job: Job<object>;
  createdAt: number;
  runAt: number;
  triesLeft: number;
}

const KEY_MEMORY_MS = 12 * 60 * 60 * 1000;

export class MemoryJobQueue implements JobQueue {
  readonly #waiting = new Map<string, Waiting[]>();
  readonly #handlers = new Map<string, JobHandler<object>[]>();
  readonly #busy = new Set<string>();
  readonly #running = new Set<Promise<void>>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #keys = new Map<string, number>();
  #stopped = false;

  constructor(private readonly now: () => number = Date.now) {}

  async start(): Promise<void> {
    this.#stopped = false;
  }

  async send<T extends object>(queue: string, data: T, options: SendOptions = {}): Promise<string | undefined> {
    if (this.#stopped) throw new Error('job queue is stopped');
    const now = this.now();
    if (options.key !== undefined) {
      for (const [k, at] of this.#keys) if (now - at > KEY_MEMORY_MS) this.#keys.delete(k);
      const k = `${queue}\u0000${options.key}`;
      if (this.#keys.has(k)) return undefined;
      this.#keys.set(k, now);
    }
    const runAt = options.startAfter instanceof Date ? options.startAfter.getTime() : now + (options.startAfter ?? 0);
    const job: Job<object> = { id: randomUUID(), queue, data: structuredClone(data) };
    const list = this.#waiting.get(queue) ?? [];
    list.push({ job, createdAt: now, runAt, triesLeft: options.retryLimit ?? 2 });
    this.#waiting.set(queue, list);
    this.#schedule(queue, runAt - now);
    return job.id;
  }

  async work<T extends object>(queue: string, handler: JobHandler<T>): Promise<void> {
    const list = this.#handlers.get(queue) ?? [];
    list.push(handler as JobHandler<object>);
    this.#handlers.set(queue, list);
    this.#schedule(queue, 0);
  }

  async stats(queue: string): Promise<QueueStats> {
    const list = this.#waiting.get(queue) ?? [];
    const oldest = list.reduce((min, w) => Math.min(min, w.createdAt), Infinity);
    return { depth: list.length, oldestAgeSeconds: list.length ? (this.now() - oldest) / 1000 : 0 };
  }

  async remove(queue: string): Promise<void> {
    this.#handlers.delete(queue);
    this.#waiting.delete(queue);
  }

  async queues(): Promise<string[]> {
    return [...new Set([...this.#waiting.keys(), ...this.#handlers.keys()])].sort();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    while (this.#running.size) await Promise.allSettled([...this.#running]);
  }

  #schedule(queue: string, delayMs: number): void {
    if (this.#stopped) return;
    const t = setTimeout(
      () => {
        this.#timers.delete(t);
        this.#drain(queue);
      },
      Math.max(0, delayMs),
    );
    this.#timers.add(t);
  }

  /** Runs due jobs of `queue` one at a time, round-robin over its handlers. */
  #drain(queue: string): void {
    if (this.#stopped || this.#busy.has(queue)) return;
    const handlers = this.#handlers.get(queue);
    const list = this.#waiting.get(queue);
    if (!handlers?.length || !list?.length) return;
    const now = this.now();
    const i = list.findIndex((w) => w.runAt <= now);
    if (i < 0) {
      this.#schedule(queue, Math.min(...list.map((w) => w.runAt)) - now);
      return;
    }
    const [w] = list.splice(i, 1);
    const handler = handlers[0]!;
    handlers.push(handlers.shift()!);
    this.#busy.add(queue);
    const run = handler(structuredClone(w!.job))
      .catch(() => {
        if (w!.triesLeft > 0) list.push({ ...w!, triesLeft: w!.triesLeft - 1, runAt: this.now() });
      })
      .finally(() => {
        this.#busy.delete(queue);
        this.#running.delete(run);
        this.#schedule(queue, 0);
      });
    this.#running.add(run);
  }
}

export class MemoryLeases implements LeaseManager {
  readonly #leases = new Map<string, { owner: string; expiresAt: number; epoch: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.acquireEpoch(key, owner, ttlMs)) !== undefined;
  }

  async acquireEpoch(key: string, owner: string, ttlMs: number): Promise<number | undefined> {
    const now = this.now();
    const cur = this.#leases.get(key);
    if (cur && cur.owner !== owner && cur.expiresAt > now) return undefined;
    const epoch = !cur ? 1 : cur.owner === owner ? cur.epoch : cur.epoch + 1;
    this.#leases.set(key, { owner, expiresAt: now + ttlMs, epoch });
    return epoch;
  }

  /** Expires the lease but keeps its epoch counting. */
  async release(key: string, owner: string): Promise<void> {
    const cur = this.#leases.get(key);
    if (cur?.owner === owner) cur.expiresAt = this.now();
  }

  async holder(key: string): Promise<string | undefined> {
    const cur = this.#leases.get(key);
    return cur && cur.expiresAt > this.now() ? cur.owner : undefined;
  }

  async close(): Promise<void> {
    this.#leases.clear();
  }
}
