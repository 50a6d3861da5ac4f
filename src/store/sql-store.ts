/**
 * Logic shared by the SQLite and PostgreSQL stores: the Store methods themselves (row mapping:
 * rows.ts; token columns: token-columns.ts; the migration runner: migrations.ts). Each
 * implementation supplies only its SQL (`StoreStatements` in statements.ts, `Migration[]`),
 * a way to run a statement, and its timestamp encoding.
 */
import { createHash } from 'node:crypto';
import type { TokenCipher } from './crypto.js';
import type { AuditEntry, BoardCard, BoardCardMemory, BoardFence, CallCard, LinkedAccount, OAuthState, PurgeCounts, Store, Watch } from './types.js';
import { date, optStr, type Row, str, toAuditEntry, toBoardCard, toCallCard, toOAuthState, toWatch, withOptional } from './rows.js';
import type { StoreStatements } from './statements.js';
import { decryptToken, tokenContext } from './token-columns.js';

export type { Row } from './rows.js';
export type { StoreStatements } from './statements.js';
export { tokenContext } from './token-columns.js';
export { runMigrations, type Migration, type MigrationExec } from './migrations.js';

export type SqlParam = string | number | Date | null;

export interface QueryResult {
  rows: Row[];
  /** Rows inserted/updated/deleted (for statements with RETURNING: the number of rows returned). */
  changes: number;
}

// ---------------------------------------------------------------------------------------------

/** Unfenced writes name no fence key, so no fence row refuses them. */
const fenceParams = (fence: BoardFence | undefined): SqlParam[] => (fence ? [fence.key, fence.epoch] : ['', 0]);

/** The tail of each held token-refresh lock, by database and user (shared by the store objects of a process). */
const REFRESH_LOCKS = new Map<string, Promise<unknown>>();

/** Expired request claims of other keys are deleted by a claim at most this often (by the claim's clock). */
const CLAIM_PURGE_INTERVAL_MS = 60_000;

/**
 * The Store implementation over an abstract SQL connection. Subclasses provide statements,
 * `query`, `encodeTimestamp`, `migrate` and `closeConnection`.
 */
export abstract class SqlStore implements Store {
  protected abstract readonly statements: StoreStatements;
  #ready: Promise<void> | undefined;
  #closed = false;
  #claimsPurgedAt: number | undefined;

  protected constructor(protected readonly cipher: TokenCipher) {}

  /** Runs one statement with positional parameters. */
  protected abstract query(sql: string, params: readonly SqlParam[]): Promise<QueryResult>;
  /** How this dialect stores a timestamp (e.g. epoch ms for SQLite, Date for timestamptz). */
  protected abstract encodeTimestamp(d: Date): SqlParam;
  /** Creates or upgrades the schema. */
  protected abstract migrate(): Promise<void>;
  protected abstract closeConnection(): Promise<void>;

  /** Connects and migrates; idempotent, and retried on the next call if it failed. */
  init(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('Store is closed'));
    this.#ready ??= this.migrate().catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#ready?.catch(() => undefined);
    await this.closeConnection();
  }

  async #run(sql: string, params: readonly SqlParam[]): Promise<QueryResult> {
    await this.init();
    return this.query(sql, params);
  }

  #ts(d: Date, what: string): SqlParam {
    if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new TypeError(`Store: ${what} must be a valid Date`);
    return this.encodeTimestamp(d);
  }

  async getLinkedAccount(teamId: string, slackUserId: string): Promise<LinkedAccount | undefined> {
    const { rows } = await this.#run(this.statements.getLinkedAccount, [teamId, slackUserId]);
    const row = rows[0];
    if (!row) return undefined;
    const refresh = optStr(row, 'refresh_token');
    const a: LinkedAccount = {
      teamId: str(row, 'team_id'),
      slackUserId: str(row, 'slack_user_id'),
      voipnowUserId: str(row, 'voipnow_user_id'),
      accessToken: decryptToken(this.cipher, str(row, 'access_token'), teamId, slackUserId, 'access_token'),
      expiresAt: date(row, 'expires_at'),
      linkedAt: date(row, 'linked_at'),
      updatedAt: date(row, 'updated_at'),
    };
    withOptional(a, 'voipnowUserName', optStr(row, 'voipnow_user_name'));
    withOptional(a, 'extension', optStr(row, 'extension'));
    withOptional(a, 'refreshToken', refresh === undefined ? undefined : decryptToken(this.cipher, refresh, teamId, slackUserId, 'refresh_token'));
    return a;
  }

  async saveLinkedAccount(a: LinkedAccount): Promise<void> {
    const enc = (v: string, col: 'access_token' | 'refresh_token') => this.cipher.encrypt(v, tokenContext(a.teamId, a.slackUserId, col));
    await this.#run(this.statements.upsertLinkedAccount, [
      a.teamId,
      a.slackUserId,
      a.voipnowUserId,
      a.voipnowUserName ?? null,
      a.extension ?? null,
      enc(a.accessToken, 'access_token'),
      a.refreshToken === undefined ? null : enc(a.refreshToken, 'refresh_token'),
      this.#ts(a.expiresAt, 'expiresAt'),
      this.#ts(a.linkedAt, 'linkedAt'),
      this.#ts(a.updatedAt, 'updatedAt'),
    ]);
  }

  async deleteLinkedAccount(teamId: string, slackUserId: string): Promise<boolean> {
    const { changes } = await this.#run(this.statements.deleteLinkedAccount, [teamId, slackUserId]);
    return changes > 0;
  }

  async setLinkedAccountExtension(teamId: string, slackUserId: string, extension: string, updatedAt: Date): Promise<boolean> {
    const { changes } = await this.#run(this.statements.updateLinkedAccountExtension, [extension, this.#ts(updatedAt, 'updatedAt'), teamId, slackUserId]);
    return changes > 0;
  }

  async replaceLinkedAccountTokens(
    teamId: string,
    slackUserId: string,
    expectedRefreshToken: string | undefined,
    tokens: { accessToken: string; refreshToken?: string; expiresAt: Date },
    updatedAt: Date,
  ): Promise<boolean> {
    // Ciphertexts are unique per write (random IV), so "still the ciphertext we read" means
    // "nobody wrote the tokens since": the swap is decided by the database, atomically.
    const { rows } = await this.#run(this.statements.getLinkedAccount, [teamId, slackUserId]);
    const row = rows[0];
    if (!row) return false;
    const oldCipher = optStr(row, 'refresh_token');
    const stored = oldCipher === undefined ? undefined : decryptToken(this.cipher, oldCipher, teamId, slackUserId, 'refresh_token');
    if (stored !== expectedRefreshToken) return false;
    const enc = (v: string, col: 'access_token' | 'refresh_token') => this.cipher.encrypt(v, tokenContext(teamId, slackUserId, col));
    const { changes } = await this.#run(this.statements.swapLinkedAccountTokens, [
      enc(tokens.accessToken, 'access_token'),
      tokens.refreshToken === undefined ? (oldCipher ?? null) : enc(tokens.refreshToken, 'refresh_token'),
      this.#ts(tokens.expiresAt, 'expiresAt'),
      this.#ts(updatedAt, 'updatedAt'),
      teamId,
      slackUserId,
      oldCipher ?? null,
    ]);
    return changes > 0;
  }

  /** Which database the in-process lock covers: every store object of this process on it shares the lock. */
  protected lockScope = `store:${Math.random()}`;

  /** In-process lock per user and database; PostgreSQL overrides it with an advisory lock shared by replicas. */
  async withTokenRefreshLock<T>(teamId: string, slackUserId: string, fn: () => Promise<T>): Promise<T> {
    const key = JSON.stringify([this.lockScope, teamId, slackUserId]);
    const before = REFRESH_LOCKS.get(key) ?? Promise.resolve();
    const run = before.catch(() => undefined).then(fn);
    const tail = run.catch(() => undefined);
    REFRESH_LOCKS.set(key, tail);
    try {
      return await run;
    } finally {
      if (REFRESH_LOCKS.get(key) === tail) REFRESH_LOCKS.delete(key);
    }
  }

  /** What the database keeps of an OAuth state: its SHA-256, never the value itself. */
  static stateKey(state: string): string {
    return createHash('sha256').update(state, 'utf8').digest('hex');
  }

  async createOAuthState(s: OAuthState): Promise<void> {
    const expiresAt = this.#ts(s.expiresAt, 'expiresAt');
    await this.#run(this.statements.purgeExpiredOAuthStates, [this.encodeTimestamp(new Date())]);
    await this.#run(this.statements.insertOAuthState, [SqlStore.stateKey(s.state), s.teamId, s.slackUserId, s.channelId ?? null, s.responseUrl ?? null, expiresAt, s.extension ?? null]);
  }

  async consumeOAuthState(state: string, now: Date = new Date()): Promise<OAuthState | undefined> {
    this.#ts(now, 'now');
    const { rows } = await this.#run(this.statements.consumeOAuthState, [SqlStore.stateKey(state)]);
    const row = rows[0];
    if (!row) return undefined;
    const s = { ...toOAuthState(row), state };
    return s.expiresAt.getTime() > now.getTime() ? s : undefined;
  }

  async saveCallCard(c: CallCard): Promise<void> {
    await this.#run(this.statements.upsertCallCard, [c.teamId, c.channelId, c.messageTs, c.phoneCallId, c.extension, c.postedBy ?? null, this.#ts(c.updatedAt, 'updatedAt')]);
  }

  async findCallCards(phoneCallId: string): Promise<CallCard[]> {
    const { rows } = await this.#run(this.statements.findCallCards, [phoneCallId]);
    return rows.map(toCallCard);
  }

  async deleteCallCard(teamId: string, channelId: string, messageTs: string): Promise<void> {
    await this.#run(this.statements.deleteCallCard, [teamId, channelId, messageTs]);
  }

  async addWatch(w: Watch): Promise<boolean> {
    const { changes } = await this.#run(this.statements.insertWatch, [w.teamId, w.channelId, w.extension, w.createdBy, this.#ts(w.createdAt, 'createdAt')]);
    if (changes > 0 && (w.secret !== undefined || w.eventIds !== undefined || w.pausedAt !== undefined)) await this.updateWatch(w);
    return changes > 0;
  }

  async updateWatch(w: Watch): Promise<boolean> {
    const { changes } = await this.#run(this.statements.updateWatch, [
      w.secret ?? null,
      w.eventIds === undefined ? null : JSON.stringify(w.eventIds),
      w.pausedAt === undefined ? null : this.#ts(w.pausedAt, 'pausedAt'),
      w.teamId,
      w.channelId,
      w.extension,
    ]);
    return changes > 0;
  }

  async listWatches(): Promise<Watch[]> {
    const { rows } = await this.#run(this.statements.listWatches, []);
    return rows.map(toWatch);
  }

  async findWatchBySecret(secret: string): Promise<Watch | undefined> {
    const { rows } = await this.#run(this.statements.findWatchBySecret, [secret]);
    return rows[0] ? toWatch(rows[0]) : undefined;
  }

  async saveBoardCard(c: BoardCard, fence?: BoardFence): Promise<boolean> {
    const row = [c.teamId, c.channelId, c.phoneCallId, c.messageTs ?? null, c.extension, c.state, c.ended ? 1 : 0, this.#ts(c.updatedAt, 'updatedAt')];
    const { changes } = await this.#run(this.statements.upsertBoardCard, [...row, ...fenceParams(fence)]);
    return changes > 0;
  }

  async raiseBoardFence(fence: BoardFence): Promise<number> {
    const { rows } = await this.#run(this.statements.raiseBoardFence, fenceParams(fence));
    return Number(rows[0]?.epoch ?? fence.epoch);
  }

  async getBoardCard(teamId: string, channelId: string, phoneCallId: string): Promise<BoardCard | undefined> {
    const { rows } = await this.#run(this.statements.getBoardCard, [teamId, channelId, phoneCallId]);
    return rows[0] ? toBoardCard(rows[0]) : undefined;
  }

  async listLiveBoardCards(): Promise<BoardCard[]> {
    const { rows } = await this.#run(this.statements.listLiveBoardCards, []);
    return rows.map(toBoardCard);
  }

  async findBoardCardAt(teamId: string, channelId: string, messageTs: string): Promise<BoardCard | undefined> {
    const { rows } = await this.#run(this.statements.findBoardCardAt, [teamId, channelId, messageTs]);
    return rows[0] ? toBoardCard(rows[0]) : undefined;
  }

  async saveOpenModal(id: string, place: string, expiresAt: Date, now: Date = new Date()): Promise<void> {
    await this.#run(this.statements.purgeOpenModals, [this.#ts(now, 'now')]);
    await this.#run(this.statements.insertOpenModal, [id, place, this.#ts(expiresAt, 'expiresAt')]);
  }

  async takeOpenModal(id: string, now: Date = new Date()): Promise<string | undefined> {
    const { rows } = await this.#run(this.statements.takeOpenModal, [id]);
    const row = rows[0];
    if (!row) return undefined;
    return date(row, 'expires_at').getTime() > now.getTime() ? str(row, 'place') : undefined;
  }

  async saveBoardCardMemory(teamId: string, channelId: string, phoneCallId: string, memory: BoardCardMemory, fence?: BoardFence): Promise<boolean> {
    const { changes } = await this.#run(this.statements.updateBoardCardMemory, [memory.alerts ?? null, memory.legHints ?? null, teamId, channelId, phoneCallId, ...fenceParams(fence)]);
    return changes > 0;
  }

  async appendAuditEntry(e: AuditEntry, fence?: BoardFence): Promise<boolean> {
    const { changes } = await this.#run(this.statements.upsertAuditEntry, [e.teamId, e.channelId, e.phoneCallId, e.seq, this.#ts(e.at, 'at'), e.text, ...fenceParams(fence)]);
    return changes > 0;
  }

  async listAuditEntries(teamId: string, channelId: string, phoneCallId: string): Promise<AuditEntry[]> {
    const { rows } = await this.#run(this.statements.listAuditEntries, [teamId, channelId, phoneCallId]);
    return rows.map(toAuditEntry);
  }

  async removeWatch(teamId: string, channelId: string, extension: string): Promise<boolean> {
    const { changes } = await this.#run(this.statements.deleteWatch, [teamId, channelId, extension]);
    return changes > 0;
  }

  async listWatchesForExtension(extension: string): Promise<Watch[]> {
    const { rows } = await this.#run(this.statements.listWatchesForExtension, [extension]);
    return rows.map(toWatch);
  }

  async claimOnce(key: string, expiresAt: Date, now: Date = new Date()): Promise<boolean> {
    // One statement: a new key, or one whose claim has expired, is taken; a live claim is not.
    const claim = this.#run(this.statements.insertClaim, [key, this.#ts(expiresAt, 'expiresAt'), this.#ts(now, 'now')]);
    // Other keys' expired claims go at most once a minute (and with the retention purge), alongside, not before.
    const purgeDue = this.#claimsPurgedAt === undefined || now.getTime() - this.#claimsPurgedAt >= CLAIM_PURGE_INTERVAL_MS;
    if (purgeDue) this.#claimsPurgedAt = now.getTime();
    const [{ changes }] = await Promise.all([claim, purgeDue ? this.#run(this.statements.purgeExpiredClaims, [this.#ts(now, 'now')]) : undefined]);
    return changes > 0;
  }

  async releaseClaim(key: string): Promise<void> {
    await this.#run(this.statements.deleteClaim, [key]);
  }

  async listWatchesForChannel(teamId: string, channelId: string): Promise<Watch[]> {
    const { rows } = await this.#run(this.statements.listWatchesForChannel, [teamId, channelId]);
    return rows.map(toWatch);
  }

  async purgeExpired(before: Date, now: Date): Promise<PurgeCounts> {
    const b = this.#ts(before, 'before');
    const n = this.#ts(now, 'now');
    const s = this.statements;
    // Audit lines first: they are judged by their card, which goes next.
    const auditEntries = (await this.#run(s.purgeAuditEntries, [b, b])).changes;
    const boardCards = (await this.#run(s.purgeEndedBoardCards, [b])).changes;
    const callCards = (await this.#run(s.purgeCallCards, [b])).changes;
    const claims = (await this.#run(s.purgeExpiredClaims, [n])).changes;
    const oauthStates = (await this.#run(s.purgeExpiredOAuthStates, [n])).changes;
    const openModals = (await this.#run(s.purgeOpenModals, [n])).changes;
    return { boardCards, auditEntries, callCards, claims, oauthStates, openModals };
  }

  // Same SQL in both dialects, so not in StoreStatements.
  async ping(): Promise<void> {
    // Reads a table of ours, so a dropped or unreachable schema fails, not only a dead connection.
    await this.#run('SELECT version FROM schema_version LIMIT 1', []);
  }

  async countLinkedAccounts(): Promise<number> {
    const { rows } = await this.#run('SELECT COUNT(*) AS n FROM linked_accounts', []);
    return Number(rows[0]?.n ?? 0);
  }

  async countWatchedExtensions(): Promise<number> {
    const { rows } = await this.#run('SELECT COUNT(DISTINCT extension) AS n FROM watches', []);
    return Number(rows[0]?.n ?? 0);
  }
}
