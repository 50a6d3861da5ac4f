/**
 * Leases on PostgreSQL: one row per key with its owner and expiry, judged by the database's
 * clock (so replicas' clocks do not matter). Taking, renewing and stealing an expired lease is
 * one atomic upsert. A replica that dies stops renewing, and its leases are free once they
 * expire: with a TTL of 6 s renewed every 2 s, another replica takes over within 10 s.
 *
 * The table lives beside the store's tables and is created here, idempotently and under an
 * advisory lock so replicas starting together do not race.
 */
import pg from 'pg';
import type { LeaseManager } from './types.js';

export interface PgLeasesOptions {
  connectionString: string;
  /** Schema of the leases table (default: the connection's search_path). */
  schema?: string;
  maxConnections?: number;
  onError?: (err: Error) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class PgLeases implements LeaseManager {
  readonly #pool: pg.Pool;
  readonly #table: string;
  readonly #schema: string | undefined;
  #ready: Promise<void> | undefined;

  constructor(options: PgLeasesOptions) {
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) throw new Error('PgLeases: schema must be a plain lower-case identifier');
    this.#schema = options.schema;
    this.#table = options.schema ? `"${options.schema}".callops_leases` : 'callops_leases';
    this.#pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 2 });
    this.#pool.on('error', options.onError ?? (() => undefined));
  }

  #init(): Promise<void> {
    this.#ready ??= (async () => {
      const client = await this.#pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`callops:leases:${this.#schema ?? ''}`]);
        if (this.#schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.#schema}"`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${this.#table} (
          key TEXT PRIMARY KEY,
          owner TEXT NOT NULL,
          expires_at TIMESTAMPTZ NOT NULL
        )`);
        await client.query(`ALTER TABLE ${this.#table} ADD COLUMN IF NOT EXISTS epoch BIGINT NOT NULL DEFAULT 1`);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    })().catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  async acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.acquireEpoch(key, owner, ttlMs)) !== undefined;
  }

  async acquireEpoch(key: string, owner: string, ttlMs: number): Promise<number | undefined> {
    await this.#init();
    const { rows } = await this.#pool.query<{ epoch: string }>(
      `INSERT INTO ${this.#table} AS l (key, owner, expires_at)
       VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at,
         epoch = CASE WHEN l.owner = excluded.owner THEN l.epoch ELSE l.epoch + 1 END
       WHERE l.owner = excluded.owner OR l.expires_at <= clock_timestamp()
       RETURNING epoch`,
      [key, owner, Math.max(1, Math.round(ttlMs))],
    );
    return rows[0] ? Number(rows[0].epoch) : undefined;
  }

  /** Expires the row rather than deleting it, so the epoch keeps counting up. */
  async release(key: string, owner: string): Promise<void> {
    await this.#init();
    await this.#pool.query(`UPDATE ${this.#table} SET expires_at = clock_timestamp() WHERE key = $1 AND owner = $2`, [key, owner]);
  }

  async holder(key: string): Promise<string | undefined> {
    await this.#init();
    const { rows } = await this.#pool.query<{ owner: string }>(`SELECT owner FROM ${this.#table} WHERE key = $1 AND expires_at > clock_timestamp()`, [key]);
    return rows[0]?.owner;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
