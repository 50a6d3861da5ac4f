/**
 * Embedded SQLite store (better-sqlite3). Timestamps are INTEGER epoch milliseconds.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { TokenCipher } from './crypto.js';
import type { SqlRunner } from './sql-runner.js';
import { migrations } from './schema.js';
import { type Migration, runMigrations } from './migrations.js';
import type { Row } from './rows.js';
import type { QueryResult, SqlParam } from './sql-session.js';
import { SqlStore } from './sql-store.js';
import { outboxStatements } from './outbox-statements.js';
import type { BatchStep } from './sql-outbox.js';
import type { StoreStatements } from './statements.js';

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
  updateMissedCallDms: `UPDATE linked_accounts SET missed_call_dms = ? WHERE team_id = ? AND slack_user_id = ?`,
  upsertSlackCall: `INSERT INTO slack_calls (team_id, phone_call_id, slack_call_id, slack_user_id, extension, created_at)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (team_id, phone_call_id) DO UPDATE SET slack_call_id = excluded.slack_call_id,
      slack_user_id = excluded.slack_user_id, extension = excluded.extension, created_at = excluded.created_at`,
  takeSlackCall: `DELETE FROM slack_calls WHERE team_id = ? AND phone_call_id = ? RETURNING *`,
  updateLinkedAccountExtension: `UPDATE linked_accounts SET extension = ?, updated_at = ? WHERE team_id = ? AND slack_user_id = ?`,
  swapLinkedAccountTokens: `UPDATE linked_accounts SET access_token = ?, refresh_token = ?, expires_at = ?, updated_at = ?
    WHERE team_id = ? AND slack_user_id = ? AND refresh_token IS ?`,
  listLinkedAccountTokens: `SELECT team_id, slack_user_id, access_token, refresh_token FROM linked_accounts ORDER BY team_id, slack_user_id`,
  rewriteLinkedAccountTokens: `UPDATE linked_accounts SET access_token = ?, refresh_token = ?
    WHERE team_id = ? AND slack_user_id = ? AND access_token = ? AND refresh_token IS ?`,
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
  insertActionHold: `INSERT INTO action_holds (action_id, phone_call_id, holds_until) VALUES (?, ?, ?) ON CONFLICT (action_id) DO NOTHING`,
  listActionHolds: `SELECT action_id, phone_call_id, holds_until FROM action_holds
    WHERE phone_call_id IN (SELECT value FROM json_each(?)) AND holds_until > ?`,
  purgeExpiredActionHolds: `DELETE FROM action_holds WHERE holds_until <= ?`,
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
  updateBoardCardMemory: `UPDATE board_cards SET alerts = ?, leg_hints = ?, acted_at = ? WHERE team_id = ? AND channel_id = ? AND phone_call_id = ?
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
  purgeOutboxIntents: `DELETE FROM board_outbox WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM board_cards b
    WHERE b.team_id = board_outbox.team_id AND b.channel_id = board_outbox.channel_id AND b.phone_call_id = board_outbox.phone_call_id
      AND (b.ended = 0 OR b.updated_at >= ?))`,
  purgeEndedBoardCards: `DELETE FROM board_cards WHERE ended = 1 AND updated_at < ?`,
  purgeCallCards: `DELETE FROM call_cards WHERE updated_at < ?`,
  insertBoardChannelPause: `INSERT INTO board_channel_pauses (team_id, channel_id, paused_at, reason) VALUES (?, ?, ?, ?)
    ON CONFLICT (team_id, channel_id) DO NOTHING`,
  deleteBoardChannelPause: `DELETE FROM board_channel_pauses WHERE team_id = ? AND channel_id = ?`,
  listBoardChannelPauses: `SELECT * FROM board_channel_pauses ORDER BY paused_at, team_id, channel_id`,
  bumpCardVersion: `INSERT INTO card_versions (channel_id, message_ts, version, shows, updated_at) VALUES (?, ?, 1, ?, ?)
    ON CONFLICT (channel_id, message_ts) DO UPDATE SET
      version = card_versions.version + 1, shows = excluded.shows, updated_at = excluded.updated_at
    RETURNING version`,
  getCardVersion: `SELECT * FROM card_versions WHERE channel_id = ? AND message_ts = ?`,
  purgeCardVersions: `DELETE FROM card_versions WHERE updated_at < ?`,
};

export class SqliteStore extends SqlStore {
  protected readonly statements = STATEMENTS;
  protected readonly outboxStatements = outboxStatements('sqlite');
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

  /** Synchronous inside one transaction, so no other statement of this process runs in between. */
  protected async batch(steps: readonly BatchStep[]): Promise<QueryResult[] | undefined> {
    const refused = Symbol('refused');
    const run = this.#db.transaction(() => {
      const results: QueryResult[] = [];
      for (const step of steps) {
        const r = this.#exec(this.#statement(step.sql), step.params);
        if (step.expect && !step.expect(r.rows, r.changes)) throw refused;
        results.push(r);
      }
      return results;
    });
    try {
      return run();
    } catch (err) {
      if (err === refused) return undefined;
      throw err;
    }
  }
  /** This store's connection, for the focused stores beside it (installations, a workspace's data). */
  sqlRunner(): SqlRunner {
    return {
      dialect: 'sqlite',
      query: async (sql, params) => {
        await this.init();
        return this.query(sql, params);
      },
    };
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
