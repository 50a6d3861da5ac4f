/**
 * PostgreSQL store (pg Pool). Timestamps are timestamptz (microsecond precision, so JS
 * millisecond Dates round-trip exactly).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import type { TokenCipher } from './crypto.js';
import { numberedPlaceholders, type SqlRunner } from './sql-runner.js';
import { migrations } from './schema.js';
import { type Migration, runMigrations } from './migrations.js';
import type { QueryResult, SqlParam } from './sql-session.js';
import { SqlStore } from './sql-store.js';
import { outboxStatements } from './outbox-statements.js';
import type { BatchStep } from './sql-outbox.js';
import { PG_STATEMENTS } from './pg-statements.js';
import type { StoreLog } from './types.js';

export interface PostgresStoreOptions {
  connectionString: string;
  cipher: TokenCipher;
  /** Use (and create if needed) this schema instead of the default search_path, e.g. to isolate tests. */
  schema?: string;
  /** Max pool size (default 10). */
  maxConnections?: number;
  /** How long a query waits for a free pooled connection before failing (default 10000 ms). */
  connectionTimeoutMs?: number;
  /** Server-side limit on one statement, lock waits included (default 30000 ms). */
  statementTimeoutMs?: number;
  /** How long the readiness probe waits for a connection (default 1000 ms). */
  pingTimeoutMs?: number;
  /** Receives pool errors (idle connections dropped by the server, etc.). Default: console.warn. */
  log?: StoreLog;
}

// Lower case only: unquoted in search_path, so it must not depend on case folding.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const POSTGRES_MIGRATIONS: readonly Migration[] = migrations('TIMESTAMPTZ');

export class PostgresStore extends SqlStore {
  protected readonly statements = PG_STATEMENTS;
  protected readonly outboxStatements = outboxStatements('postgres');
  protected override readonly boardChangeInOneStatement = true;
  readonly schema: string | undefined;
  readonly #pool: pg.Pool;
  readonly #pingTimeoutMs: number;
  /** The connection holding a lock (a token refresh): queries made inside the lock run on it, not on another pooled one. */
  readonly #lockClient = new AsyncLocalStorage<pg.PoolClient>();

  constructor(options: PostgresStoreOptions) {
    super(options.cipher);
    const { schema } = options;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new Error(`PostgresStore: schema must be a plain identifier (lower-case letters, digits, underscore)`);
    }
    if (schema !== undefined && /[?&]options=/.test(options.connectionString)) {
      // pg lets the connection string's `options` override ours, which would drop the search_path.
      throw new Error(`PostgresStore: the schema option cannot be combined with "options" in the connection string`);
    }
    this.schema = schema;
    this.#pingTimeoutMs = options.pingTimeoutMs ?? 1000;
    const log = options.log ?? ((m: string) => console.warn(m));
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      query_timeout: (options.statementTimeoutMs ?? 30_000) + 5_000,
      // Set at connection startup, so every pooled connection resolves tables in the schema.
      ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
    });
    // Without a listener, an idle client's error (server restart, network) would crash the process.
    this.#pool.on('error', (err) => log(`PostgreSQL pool: idle connection error: ${err.message}`));
  }

  protected async query(sql: string, params: readonly SqlParam[]): Promise<QueryResult> {
    const res = await (this.#lockClient.getStore() ?? this.#pool).query(sql, params as SqlParam[]);
    return { rows: res.rows as QueryResult['rows'], changes: res.rowCount ?? 0 };
  }

  protected encodeTimestamp(d: Date): SqlParam {
    return d;
  }

  /** One pooled connection, one transaction; a refused step rolls it all back. */
  protected async batch(steps: readonly BatchStep[]): Promise<QueryResult[] | undefined> {
    const client = await this.#pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const results: QueryResult[] = [];
      for (const step of steps) {
        const res = await client.query(step.sql, step.params as SqlParam[]);
        const r = { rows: res.rows as QueryResult['rows'], changes: res.rowCount ?? 0 };
        if (step.expect && !step.expect(r.rows, r.changes)) {
          await client.query('ROLLBACK');
          return undefined;
        }
        results.push(r);
      }
      await client.query('COMMIT');
      return results;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }
  /** This store's pool, for the focused stores beside it (installations, a workspace's data). */
  sqlRunner(): SqlRunner {
    return {
      dialect: 'postgres',
      query: async (sql, params) => {
        await this.init();
        return this.query(numberedPlaceholders(sql), params);
      },
    };
  }

  protected async migrate(): Promise<void> {
    await runMigrations('PostgreSQL', POSTGRES_MIGRATIONS, async (fn) => {
      const client = await this.#pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        // Serialises concurrent migrations of the same schema across processes; released at COMMIT.
        await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`callops:migrate:${this.schema ?? ''}`]);
        if (this.schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
        const version = await fn(async (sql) => (await client.query(sql)).rows);
        await client.query('COMMIT');
        return version;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw err;
      } finally {
        client.release(broken); // a client that could not roll back is discarded
      }
    });
  }

  /**
   * A session advisory lock on one pooled connection: every replica on this database waits its turn.
   * The store's queries inside `fn` run on that same connection, so a refresh never needs a second
   * one while holding the first (a full pool would otherwise wait on itself forever).
   */
  protected override async withLock<T>(name: readonly string[], fn: () => Promise<T>): Promise<T> {
    await this.init();
    const client = await this.#pool.connect();
    // e.g. callops:token-refresh:<schema>:<team>:<user>
    const [what, ...parts] = name;
    const key = ['callops', what, this.schema ?? '', ...parts].join(':');
    let broken = false;
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
      try {
        return await this.#lockClient.run(client, fn);
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => {
          broken = true; // dropping the connection releases the lock
        });
      }
    } finally {
      client.release(broken);
    }
  }

  /** Readiness: fails fast when no pooled connection can be had (pool exhausted or server gone), then reads a table. */
  override async ping(): Promise<void> {
    await this.init();
    const pending = this.#pool.connect();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.#pingTimeoutMs);
    });
    const client = await Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
    if (!client) {
      // Given back whenever it comes, so the probe leaves nothing waiting behind.
      pending.then(
        (c) => c.release(),
        () => undefined,
      );
      const { totalCount, idleCount, waitingCount } = this.#pool;
      throw new Error(
        `PostgreSQL pool cannot serve: no connection within ${this.#pingTimeoutMs} ms (${totalCount - idleCount} of ${totalCount} in use, ${waitingCount} waiting; DATABASE_POOL_MAX raises the limit)`,
      );
    }
    try {
      await client.query('SELECT version FROM schema_version LIMIT 1');
    } finally {
      client.release();
    }
  }

  protected async closeConnection(): Promise<void> {
    await this.#pool.end();
  }
}
