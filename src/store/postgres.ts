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
import type { StoreStatements } from './statements.js';
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

// Tie-breaks ORDER BY text columns COLLATE "C" (byte order), matching SQLite.
/** The claim chain's last step: the action hold ($8 id, $9 call, $10 until), recorded only when all three claims were taken. */
const ACTION_HOLD_OF_CHAIN = `INSERT INTO action_holds (action_id, phone_call_id, holds_until)
      SELECT $8::text, $9::text, $10::timestamptz WHERE $8::text IS NOT NULL AND (SELECT ok FROM ok3)
      ON CONFLICT (action_id) DO NOTHING`;

const STATEMENTS: StoreStatements = {
  getLinkedAccount: `SELECT * FROM linked_accounts WHERE team_id = $1 AND slack_user_id = $2`,
  upsertLinkedAccount: `INSERT INTO linked_accounts (team_id, slack_user_id, voipnow_user_id, voipnow_user_name,
      extension, access_token, refresh_token, expires_at, linked_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    ON CONFLICT (team_id, slack_user_id) DO UPDATE SET
      voipnow_user_id = excluded.voipnow_user_id, voipnow_user_name = excluded.voipnow_user_name,
      extension = excluded.extension, access_token = excluded.access_token,
      refresh_token = excluded.refresh_token, expires_at = excluded.expires_at,
      linked_at = excluded.linked_at, updated_at = excluded.updated_at`,
  deleteLinkedAccount: `DELETE FROM linked_accounts WHERE team_id = $1 AND slack_user_id = $2`,
  updateMissedCallDms: `UPDATE linked_accounts SET missed_call_dms = $1 WHERE team_id = $2 AND slack_user_id = $3`,
  upsertSlackCall: `INSERT INTO slack_calls (team_id, phone_call_id, slack_call_id, slack_user_id, extension, created_at)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (team_id, phone_call_id) DO UPDATE SET slack_call_id = excluded.slack_call_id,
      slack_user_id = excluded.slack_user_id, extension = excluded.extension, created_at = excluded.created_at`,
  takeSlackCall: `DELETE FROM slack_calls WHERE team_id = $1 AND phone_call_id = $2 RETURNING *`,
  updateLinkedAccountExtension: `UPDATE linked_accounts SET extension = $1, updated_at = $2 WHERE team_id = $3 AND slack_user_id = $4`,
  swapLinkedAccountTokens: `UPDATE linked_accounts SET access_token = $1, refresh_token = $2, expires_at = $3, updated_at = $4
    WHERE team_id = $5 AND slack_user_id = $6 AND refresh_token IS NOT DISTINCT FROM $7`,
  listLinkedAccountTokens: `SELECT team_id, slack_user_id, access_token, refresh_token FROM linked_accounts
    ORDER BY team_id COLLATE "C", slack_user_id COLLATE "C"`,
  rewriteLinkedAccountTokens: `UPDATE linked_accounts SET access_token = $1, refresh_token = $2
    WHERE team_id = $3 AND slack_user_id = $4 AND access_token = $5 AND refresh_token IS NOT DISTINCT FROM $6`,
  insertOAuthState: `INSERT INTO oauth_states (state, team_id, slack_user_id, channel_id, response_url, expires_at, extension)
    VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  purgeExpiredOAuthStates: `DELETE FROM oauth_states WHERE expires_at <= $1`,
  consumeOAuthState: `DELETE FROM oauth_states WHERE state = $1 RETURNING *`,
  upsertCallCard: `INSERT INTO call_cards (team_id, channel_id, message_ts, phone_call_id, extension, posted_by, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (team_id, channel_id, message_ts) DO UPDATE SET
      phone_call_id = excluded.phone_call_id, extension = excluded.extension,
      posted_by = excluded.posted_by, updated_at = excluded.updated_at`,
  findCallCards: `SELECT * FROM call_cards WHERE phone_call_id = $1
    ORDER BY updated_at, team_id COLLATE "C", channel_id COLLATE "C", message_ts COLLATE "C"`,
  deleteCallCard: `DELETE FROM call_cards WHERE team_id = $1 AND channel_id = $2 AND message_ts = $3`,
  insertWatch: `INSERT INTO watches (team_id, channel_id, extension, created_by, created_at)
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (team_id, channel_id, extension) DO NOTHING`,
  purgeExpiredClaims: `DELETE FROM request_claims WHERE expires_at <= $1`,
  insertClaim: `INSERT INTO request_claims (claim_key, expires_at) VALUES ($1, $2)
    ON CONFLICT (claim_key) DO UPDATE SET expires_at = excluded.expires_at WHERE request_claims.expires_at <= $3`,
  deleteClaim: `DELETE FROM request_claims WHERE claim_key = $1`,
  insertActionHold: `INSERT INTO action_holds (action_id, phone_call_id, holds_until) VALUES ($1, $2, $3) ON CONFLICT (action_id) DO NOTHING`,
  listActionHolds: `SELECT action_id, phone_call_id, holds_until FROM action_holds
    WHERE phone_call_id IN (SELECT jsonb_array_elements_text($1::jsonb)) AND holds_until > $2`,
  purgeExpiredActionHolds: `DELETE FROM action_holds WHERE holds_until <= $1`,
  claimChain: `WITH k1 AS (INSERT INTO request_claims (claim_key, expires_at) SELECT $1::text, $2::timestamptz WHERE $1::text IS NOT NULL
      ON CONFLICT (claim_key) DO UPDATE SET expires_at = excluded.expires_at WHERE request_claims.expires_at <= $7::timestamptz RETURNING 1),
    ok1 AS (SELECT $1::text IS NULL OR EXISTS (SELECT 1 FROM k1) AS ok),
    k2 AS (INSERT INTO request_claims (claim_key, expires_at) SELECT $3::text, $4::timestamptz WHERE $3::text IS NOT NULL AND (SELECT ok FROM ok1)
      ON CONFLICT (claim_key) DO UPDATE SET expires_at = excluded.expires_at WHERE request_claims.expires_at <= $7::timestamptz RETURNING 1),
    ok2 AS (SELECT (SELECT ok FROM ok1) AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM k2)) AS ok),
    k3 AS (INSERT INTO request_claims (claim_key, expires_at) SELECT $5::text, $6::timestamptz WHERE $5::text IS NOT NULL AND (SELECT ok FROM ok2)
      ON CONFLICT (claim_key) DO UPDATE SET expires_at = excluded.expires_at WHERE request_claims.expires_at <= $7::timestamptz RETURNING 1),
    ok3 AS (SELECT (SELECT ok FROM ok2) AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM k3)) AS ok),
    held AS (${ACTION_HOLD_OF_CHAIN})
    SELECT (SELECT ok FROM ok1)::int AS c1, (SELECT ok FROM ok2)::int AS c2, (SELECT ok FROM ok3)::int AS c3`,
  deleteWatch: `DELETE FROM watches WHERE team_id = $1 AND channel_id = $2 AND extension = $3`,
  listWatchesForExtension: `SELECT * FROM watches WHERE extension = $1
    ORDER BY created_at, team_id COLLATE "C", channel_id COLLATE "C"`,
  listWatchesForChannel: `SELECT * FROM watches WHERE team_id = $1 AND channel_id = $2
    ORDER BY created_at, extension COLLATE "C"`,
  listWatches: `SELECT * FROM watches ORDER BY created_at, team_id COLLATE "C", channel_id COLLATE "C", extension COLLATE "C"`,
  updateWatch: `UPDATE watches SET secret = $1, event_ids = $2, paused_at = $3
    WHERE team_id = $4 AND channel_id = $5 AND extension = $6`,
  findWatchBySecret: `SELECT * FROM watches WHERE secret = $1`,
  upsertBoardCard: `INSERT INTO board_cards (team_id, channel_id, phone_call_id, message_ts, extension, state, ended, updated_at)
    SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::integer, $8::timestamptz
    WHERE NOT EXISTS (SELECT 1 FROM board_fences WHERE fence_key = $9::text AND epoch > $10::integer)
    ON CONFLICT (team_id, channel_id, phone_call_id) DO UPDATE SET
      message_ts = excluded.message_ts, extension = excluded.extension, state = excluded.state,
      ended = excluded.ended, updated_at = excluded.updated_at`,
  findBoardCardAt: `SELECT * FROM board_cards WHERE team_id = $1 AND channel_id = $2 AND message_ts = $3`,
  insertOpenModal: `INSERT INTO open_modals (modal_id, place, expires_at) VALUES ($1, $2, $3)`,
  takeOpenModal: `DELETE FROM open_modals WHERE modal_id = $1 RETURNING *`,
  purgeOpenModals: `DELETE FROM open_modals WHERE expires_at <= $1`,
  getBoardCard: `SELECT * FROM board_cards WHERE team_id = $1 AND channel_id = $2 AND phone_call_id = $3`,
  updateBoardCardMemory: `UPDATE board_cards SET alerts = $1, leg_hints = $2, acted_at = $3 WHERE team_id = $4 AND channel_id = $5 AND phone_call_id = $6
    AND NOT EXISTS (SELECT 1 FROM board_fences WHERE fence_key = $7::text AND epoch > $8::integer)`,
  listLiveBoardCards: `SELECT * FROM board_cards WHERE ended = 0
    ORDER BY updated_at, team_id COLLATE "C", channel_id COLLATE "C", phone_call_id COLLATE "C"`,
  upsertAuditEntry: `INSERT INTO audit_entries (team_id, channel_id, phone_call_id, seq, at, text)
    SELECT $1::text, $2::text, $3::text, $4::integer, $5::timestamptz, $6::text
    WHERE NOT EXISTS (SELECT 1 FROM board_fences WHERE fence_key = $7::text AND epoch > $8::integer)
    ON CONFLICT (team_id, channel_id, phone_call_id, seq) DO UPDATE SET at = excluded.at, text = excluded.text`,
  listAuditEntries: `SELECT * FROM audit_entries WHERE team_id = $1 AND channel_id = $2 AND phone_call_id = $3 ORDER BY seq`,
  raiseBoardFence: `INSERT INTO board_fences (fence_key, epoch) VALUES ($1, $2)
    ON CONFLICT (fence_key) DO UPDATE SET epoch = GREATEST(board_fences.epoch, excluded.epoch) RETURNING epoch`,
  purgeAuditEntries: `DELETE FROM audit_entries WHERE at < $1 AND NOT EXISTS (SELECT 1 FROM board_cards b
    WHERE b.team_id = audit_entries.team_id AND b.channel_id = audit_entries.channel_id AND b.phone_call_id = audit_entries.phone_call_id
      AND (b.ended = 0 OR b.updated_at >= $2))`,
  purgeOutboxIntents: `DELETE FROM board_outbox WHERE created_at < $1 AND NOT EXISTS (SELECT 1 FROM board_cards b
    WHERE b.team_id = board_outbox.team_id AND b.channel_id = board_outbox.channel_id AND b.phone_call_id = board_outbox.phone_call_id
      AND (b.ended = 0 OR b.updated_at >= $2))`,
  purgeEndedBoardCards: `DELETE FROM board_cards WHERE ended = 1 AND updated_at < $1`,
  purgeCallCards: `DELETE FROM call_cards WHERE updated_at < $1`,
  insertBoardChannelPause: `INSERT INTO board_channel_pauses (team_id, channel_id, paused_at, reason) VALUES ($1, $2, $3, $4)
    ON CONFLICT (team_id, channel_id) DO NOTHING`,
  deleteBoardChannelPause: `DELETE FROM board_channel_pauses WHERE team_id = $1 AND channel_id = $2`,
  listBoardChannelPauses: `SELECT * FROM board_channel_pauses ORDER BY paused_at, team_id COLLATE "C", channel_id COLLATE "C"`,
  bumpCardVersion: `INSERT INTO card_versions (channel_id, message_ts, version, shows, updated_at) VALUES ($1, $2, 1, $3, $4)
    ON CONFLICT (channel_id, message_ts) DO UPDATE SET
      version = card_versions.version + 1, shows = excluded.shows, updated_at = excluded.updated_at
    RETURNING version`,
  getCardVersion: `SELECT * FROM card_versions WHERE channel_id = $1 AND message_ts = $2`,
  purgeCardVersions: `DELETE FROM card_versions WHERE updated_at < $1`,
};

export class PostgresStore extends SqlStore {
  protected readonly statements = STATEMENTS;
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
