/**
 * The job queue on PostgreSQL, through pg-boss (v10): jobs are rows, so they survive restarts,
 * and pg-boss hands each to exactly one worker of all replicas (SELECT ... FOR UPDATE SKIP
 * LOCKED). Chosen over graphile-worker, whose current version needs Node >= 22.18 while
 * callops runs on Node 20; pg-boss 10 supports Node >= 20 and needs no extra service.
 */
import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { JobHandler, JobQueue, QueueStats, SendOptions } from './types.js';

export interface PgBossQueueOptions {
  connectionString: string;
  /** PostgreSQL schema for pg-boss's tables (default pgboss). */
  schema?: string;
  /** How often an idle worker looks for jobs, in seconds (default 1; pg-boss's minimum is 0.5). */
  pollingIntervalSeconds?: number;
  /** Receives pg-boss's background errors (lost connections...). */
  onError?: (err: Error) => void;
  /** Connections in pg-boss's pool (default 4). */
  maxConnections?: number;
  /** Jobs one worker takes per fetch (default 50); a full batch is followed by the next fetch at once. */
  batchSize?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** pg-boss's own rule for queue names (inlined into SQL only after this check). */
const QUEUE_NAME = /^[\w.\-/]+$/;

export class PgBossQueue implements JobQueue {
  readonly #boss: PgBoss;
  readonly #schema: string;
  readonly #queues = new Map<string, Promise<void>>();
  readonly #polling: number;
  readonly #batchSize: number;
  /** This replica's pg-boss worker per queue, woken when a job is sent here or a batch came full. */
  readonly #workers = new Map<string, string>();

  constructor(options: PgBossQueueOptions) {
    this.#schema = options.schema ?? 'pgboss';
    if (!SCHEMA_NAME.test(this.#schema)) throw new Error('PgBossQueue: schema must be a plain lower-case identifier');
    this.#polling = options.pollingIntervalSeconds ?? 1;
    this.#batchSize = options.batchSize ?? 50;
    this.#boss = new PgBoss({
      connectionString: options.connectionString,
      schema: this.#schema,
      max: options.maxConnections ?? 4,
      application_name: 'callops',
      // callops schedules nothing with cron; maintenance (expiry, archive) stays on.
      schedule: false,
    });
    this.#boss.on('error', options.onError ?? (() => undefined));
  }

  async start(): Promise<void> {
    await this.#boss.start();
  }

  async send<T extends object>(queue: string, data: T, options: SendOptions = {}): Promise<string | undefined> {
    await this.#queue(queue);
    const send: PgBoss.SendOptions = { retryLimit: options.retryLimit ?? 2 };
    if (options.startAfter !== undefined) {
      send.startAfter = options.startAfter instanceof Date ? options.startAfter : new Date(Date.now() + options.startAfter);
    }
    // A key becomes the job's id: pg-boss inserts with ON CONFLICT DO NOTHING, so a second send is dropped.
    if (options.key !== undefined) send.id = uuidFromKey(queue, options.key);
    const id = await this.#boss.send(queue, data, send);
    // A job due now is fetched at once by this replica's worker instead of at its next poll.
    const worker = this.#workers.get(queue);
    if (id && worker && options.startAfter === undefined) this.#boss.notifyWorker(worker);
    return id ?? undefined;
  }

  async work<T extends object>(queue: string, handler: JobHandler<T>): Promise<void> {
    await this.#queue(queue);
    // Each queue has its own worker loop, so a slow job of one queue never holds up another's.
    // A batch is handled one job at a time; each job completes or fails on its own (pg-boss would
    // fail, and so retry, the whole batch for one job's error).
    const worker = await this.#boss.work<T>(queue, { batchSize: this.#batchSize, pollingIntervalSeconds: this.#polling }, async (jobs) => {
      for (const job of jobs) {
        try {
          await handler({ id: job.id, queue, data: job.data });
          await this.#boss.complete(queue, job.id);
        } catch (err) {
          await this.#boss.fail(queue, job.id, { message: err instanceof Error ? err.message : String(err) });
        }
      }
      // A full batch means more may be waiting: fetch again without waiting for the poll.
      if (jobs.length === this.#batchSize) this.#boss.notifyWorker(worker);
    });
    this.#workers.set(queue, worker);
  }

  async stats(queue: string): Promise<QueueStats> {
    await this.#queue(queue);
    const { rows } = await this.#boss.getDb().executeSql(
      `SELECT count(*)::int AS depth, COALESCE(EXTRACT(EPOCH FROM now() - min(created_on)), 0)::float8 AS age
       FROM "${this.#schema}".job WHERE name = $1 AND state IN ('created', 'retry')`,
      [queue],
    );
    return { depth: Number(rows[0]?.depth ?? 0), oldestAgeSeconds: Math.max(0, Number(rows[0]?.age ?? 0)) };
  }

  async remove(queue: string): Promise<void> {
    if (!QUEUE_NAME.test(queue)) throw new Error('PgBossQueue: a queue name is letters, digits, _ . - /');
    await this.#queue(queue);
    await this.#boss.offWork(queue);
    this.#workers.delete(queue);
    // pg-boss's delete_queue deletes the queue's row before dropping its partition, which the jobs'
    // foreign key (ON DELETE RESTRICT) refuses while jobs remain: delete them first (one simple query: one implicit transaction).
    const s = `"${this.#schema}"`;
    await this.#boss.getDb().executeSql(`DELETE FROM ${s}.job WHERE name = '${queue}'; SELECT ${s}.delete_queue('${queue}')`, []);
    this.#queues.delete(queue);
  }

  async queues(): Promise<string[]> {
    return (await this.#boss.getQueues()).map((q) => q.name).sort();
  }

  async stop(): Promise<void> {
    // graceful: running handlers finish; wait: resolve only once pg-boss has fully stopped.
    await this.#boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }

  /**
   * Each pg-boss queue is a partition of one job table: replicas creating queues at the same
   * moment can deadlock on that table, so a deadlocked creation is tried again.
   */
  async #createQueue(name: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#boss.createQueue(name);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== DEADLOCK || attempt >= 5) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200 * (attempt + 1)));
      }
    }
  }

  #queue(name: string): Promise<void> {
    let ready = this.#queues.get(name);
    if (!ready) {
      ready = this.#createQueue(name).catch((err: unknown) => {
        this.#queues.delete(name);
        throw err;
      });
      this.#queues.set(name, ready);
    }
    return ready;
  }
}

/** PostgreSQL's "deadlock detected": one of two concurrent transactions was chosen to fail, and may simply run again. */
const DEADLOCK = '40P01';

/** A stable UUID for (queue, key), so every replica derives the same job id. */
export function uuidFromKey(queue: string, key: string): string {
  const h = createHash('sha256').update(`${queue}\u0000${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
