/**
 * Embedded SQLite store (better-sqlite3). Timestamps are INTEGER epoch milliseconds.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { TokenCipher } from './crypto.js';
import { migrations } from './schema.js';
import { runMigrations, SqlStore, type Migration, type QueryResult, type Row, type SqlParam, type StoreStatements } from './sql-store.js';

export interface SqliteStoreOptions {
  /** Database file (its directory is created), or ':memory:'. */
  file: string;
  cipher: TokenCipher;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = migrations('INTEGER');

const STATEMENTS: StoreStatements = {
  getLinkedAccount: `SELECT * FROM linked_accounts WHERE team_id = ? AND slack_user_id = ?`,
  upsertLinkedAccount: `INSERT INTO linked_accounts (team_id, slack_user_id, voipnow_user_id, voipnow_user_name,
      extension, access_token, refresh_token, expires_at, linked_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (team_id, slack_user_id) DO UPDATE SET
      voipnow_user_id = excluded.voipnow_user_id, voipnow_user_name = excluded.voipnow_user_name,
      extension = excluded.extension, access_token = excluded.access_token,
      refresh_token = excluded.refresh_token, expires_at = excluded.expires_at,
      linked_at = excluded.linked_at, updated_at = excluded.updated_at`,
  deleteLinkedAccount: `DELETE FROM linked_accounts WHERE team_id = ? AND slack_user_id = ?`,
  updateLinkedAccountExtension: `UPDATE linked_accounts SET extension = ?, updated_at = ? WHERE team_id = ? AND slack_user_id = ?`,
  swapLinkedAccountTokens: `UPDATE linked_accounts SET access_token = ?, refresh_token = ?, expires_at = ?, updated_at = ?
    WHERE team_id = ? AND slack_user_id = ? AND refresh_token IS ?`,
  insertOAuthState: `INSERT INTO oauth_states (state, team_id, slack_user_id, channel_id, response_url, expires_at, extension)
    VALUES (?, ?, ?, ?, ?, ?, ?)`,
  purgeExpiredOAuthStates: `DELETE FROM oauth_states WHERE expires_at <= ?`,
  consumeOAuthState: `DELETE FROM oauth_states WHERE state = ? RETURNING *`,
  upsertCallCard: `INSERT INTO call_cards (team_id, channel_id, message_ts, phone_call_id, extension, posted_by, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (team_id, channel_id, message_ts) DO UPDATE SET
      phone_call_id = excluded.phone_call_id, extension = excluded.extension,
      posted_by = excluded.posted_by, updated_at = excluded.updated_at`,
  findCallCards: `SELECT * FROM call_cards WHERE phone_call_id = ?
    ORDER BY updated_at, team_id, channel_id, message_ts`,
  deleteCallCard: `DELETE FROM call_cards WHERE team_id = ? AND channel_id = ? AND message_ts = ?`,
  insertWatch: `INSERT INTO watches (team_id, channel_id, extension, created_by, created_at)
    VALUES (?, ?, ?, ?, ?) ON CONFLICT (team_id, channel_id, extension) DO NOTHING`,
  purgeExpiredClaims: `DELETE FROM request_claims WHERE expires_at <= ?`,
  insertClaim: `INSERT INTO request_claims (claim_key, expires_at) VALUES (?, ?)
    ON CONFLICT (claim_key) DO UPDATE SET expires_at = excluded.expires_at WHERE request_claims.expires_at <= ?`,
  deleteClaim: `DELETE FROM request_claims WHERE claim_key = ?`,
  deleteWatch: `DELETE FROM watches WHERE team_id = ? AND channel_id = ? AND extension = ?`,
  listWatchesForExtension: `SELECT * FROM watches WHERE extension = ? ORDER BY created_at, team_id, channel_id`,
  listWatchesForChannel: `SELECT * FROM watches WHERE team_id = ? AND channel_id = ? ORDER BY created_at, extension`,
  listWatches: `SELECT * FROM watches ORDER BY created_at, team_id, channel_id, extension`,
  updateWatch: `UPDATE watches SET secret = ?, event_ids = ?, paused_at = ?
    WHERE team_id = ? AND channel_id = ? AND extension = ?`,
  findWatchBySecret: `SELECT * FROM watches WHERE secret = ?`,
  upsertBoardCard: `INSERT INTO board_cards (team_id, channel_id, phone_call_id, message_ts, extension, state, ended, updated_at)
    SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM board_fences WHERE fence_key = ? AND epoch > ?)
    ON CONFLICT (team_id, channel_id, phone_call_id) DO UPDATE SET
      message_ts = excluded.message_ts, extension = excluded.extension, state = excluded.state,
      ended = excluded.ended, updated_at = excluded.updated_at`,
  findBoardCardAt: `SELECT * FROM board_cards WHERE team_id = ? AND channel_id = ? AND message_ts = ?`,
  insertOpenModal: `INSERT INTO open_modals (modal_id, place, expires_at) VALUES (?, ?, ?)`,
  takeOpenModal: `DELETE FROM open_modals WHERE modal_id = ? RETURNING *`,
  purgeOpenModals: `DELETE FROM open_modals WHERE expires_at <= ?`,
  getBoardCard: `SELECT * FROM board_cards WHERE team_id = ? AND channel_id = ? AND phone_call_id = ?`,
  updateBoardCardMemory: `UPDATE board_cards SET alerts = ?, leg_hints = ? WHERE team_id = ? AND channel_id = ? AND phone_call_id = ?
    AND NOT EXISTS (SELECT 1 FROM board_fences WHERE fence_key = ? AND epoch > ?)`,
  listLiveBoardCards: `SELECT * FROM board_cards WHERE ended = 0
    ORDER BY updated_at, team_id, channel_id, phone_call_id`,
  upsertAuditEntry: `INSERT INTO audit_entries (team_id, channel_id, phone_call_id, seq, at, text)
    SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM board_fences WHERE fence_key = ? AND epoch > ?)
    ON CONFLICT (team_id, channel_id, phone_call_id, seq) DO UPDATE SET at = excluded.at, text = excluded.text`,
  listAuditEntries: `SELECT * FROM audit_entries WHERE team_id = ? AND channel_id = ? AND phone_call_id = ? ORDER BY seq`,
  raiseBoardFence: `INSERT INTO board_fences (fence_key, epoch) VALUES (?, ?)
    ON CONFLICT (fence_key) DO UPDATE SET epoch = MAX(board_fences.epoch, excluded.epoch) RETURNING epoch`,
  purgeAuditEntries: `DELETE FROM audit_entries WHERE at < ? AND NOT EXISTS (SELECT 1 FROM board_cards b
    WHERE b.team_id = audit_entries.team_id AND b.channel_id = audit_entries.channel_id AND b.phone_call_id = audit_entries.phone_call_id
      AND (b.ended = 0 OR b.updated_at >= ?))`,
  purgeEndedBoardCards: `DELETE FROM board_cards WHERE ended = 1 AND updated_at < ?`,
  purgeCallCards: `DELETE FROM call_cards WHERE updated_at < ?`,
};

export class SqliteStore extends SqlStore {
  protected readonly statements = STATEMENTS;
  readonly file: string;
  readonly #db: Database.Database;
  readonly #prepared = new Map<string, Database.Statement>();

  constructor(options: SqliteStoreOptions) {
    super(options.cipher);
    this.file = options.file;
    const inMemory = options.file === ':memory:';
    if (!inMemory) mkdirSync(dirname(options.file), { recursive: true });
    // Store objects of this process on one file share the token-refresh lock (see SqlStore).
    if (!inMemory) this.lockScope = `sqlite:${resolve(options.file)}`;
    this.#db = new Database(options.file);
    this.#db.pragma('busy_timeout = 5000');
    if (!inMemory) this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('foreign_keys = ON');
  }

  #statement(sql: string): Database.Statement {
    let stmt = this.#prepared.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare(sql);
      this.#prepared.set(sql, stmt);
    }
    return stmt;
  }

  #exec(stmt: Database.Statement, params: readonly SqlParam[]): QueryResult {
    if (stmt.reader) {
      const rows = stmt.all(...params) as Row[];
      return { rows, changes: rows.length };
    }
    return { rows: [], changes: stmt.run(...params).changes };
  }

  protected async query(sql: string, params: readonly SqlParam[]): Promise<QueryResult> {
    return this.#exec(this.#statement(sql), params);
  }

  protected encodeTimestamp(d: Date): SqlParam {
    return d.getTime();
  }

  protected async migrate(): Promise<void> {
    await runMigrations('SQLite', SQLITE_MIGRATIONS, async (fn) => {
      // IMMEDIATE takes the write lock up front, serialising processes migrating the same file.
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const version = await fn(async (sql) => this.#exec(this.#db.prepare(sql), []).rows);
        this.#db.exec('COMMIT');
        return version;
      } catch (err) {
        this.#db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  protected async closeConnection(): Promise<void> {
    this.#prepared.clear();
    this.#db.close();
  }
}
