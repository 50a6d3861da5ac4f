/**
 * Linked accounts over SQL: the token columns encrypted and bound to their row, the extension
 * and the tokens each updated alone, and one token refresh per user at a time.
 */
import type { TokenCipher } from './crypto.js';
import { date, optStr, str, withOptional } from './rows.js';
import type { SqlSession } from './sql-session.js';
import { decryptToken, tokenContext } from './token-columns.js';
import { reencryptTokens } from './reencrypt.js';
import type { AccountStore, LinkedAccount, ReencryptCounts } from './types.js';

/** The statements each dialect provides for linked accounts (positional parameters, in this order). */
export interface AccountStatements {
  /** (team_id, slack_user_id) → a linked_accounts row */
  getLinkedAccount: string;
  /** (team_id, slack_user_id, voipnow_user_id, voipnow_user_name, extension, access_token,
   *  refresh_token, expires_at, linked_at, updated_at); upsert */
  upsertLinkedAccount: string;
  /** (team_id, slack_user_id) */
  deleteLinkedAccount: string;
  /** (extension, updated_at, team_id, slack_user_id): only these columns */
  updateLinkedAccountExtension: string;
  /** (access_token, refresh_token, expires_at, updated_at, team_id, slack_user_id, old refresh_token ciphertext or null):
   *  only the token columns, and only while refresh_token still holds the old ciphertext */
  swapLinkedAccountTokens: string;
  /** () → team_id, slack_user_id, access_token, refresh_token of every linked account */
  listLinkedAccountTokens: string;
  /** (access_token, refresh_token, team_id, slack_user_id, old access_token, old refresh_token or null):
   *  only the token columns, and only while both still hold the old ciphertexts */
  rewriteLinkedAccountTokens: string;
}

type TokenColumn = 'access_token' | 'refresh_token';

export class SqlAccountStore implements AccountStore {
  constructor(
    private readonly db: SqlSession<AccountStatements>,
    private readonly cipher: TokenCipher,
  ) {}

  #encrypt(teamId: string, slackUserId: string, value: string, column: TokenColumn): string {
    return this.cipher.encrypt(value, tokenContext(teamId, slackUserId, column));
  }

  async getLinkedAccount(teamId: string, slackUserId: string): Promise<LinkedAccount | undefined> {
    const { rows } = await this.db.run(this.db.statements.getLinkedAccount, [teamId, slackUserId]);
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
    if (Number(row.missed_call_dms ?? 1) === 0) a.missedCallDms = false;
    return a;
  }

  async saveLinkedAccount(a: LinkedAccount): Promise<void> {
    await this.db.run(this.db.statements.upsertLinkedAccount, [
      a.teamId,
      a.slackUserId,
      a.voipnowUserId,
      a.voipnowUserName ?? null,
      a.extension ?? null,
      this.#encrypt(a.teamId, a.slackUserId, a.accessToken, 'access_token'),
      a.refreshToken === undefined ? null : this.#encrypt(a.teamId, a.slackUserId, a.refreshToken, 'refresh_token'),
      this.db.ts(a.expiresAt, 'expiresAt'),
      this.db.ts(a.linkedAt, 'linkedAt'),
      this.db.ts(a.updatedAt, 'updatedAt'),
    ]);
  }

  async deleteLinkedAccount(teamId: string, slackUserId: string): Promise<boolean> {
    const { changes } = await this.db.run(this.db.statements.deleteLinkedAccount, [teamId, slackUserId]);
    return changes > 0;
  }

  async setLinkedAccountExtension(teamId: string, slackUserId: string, extension: string, updatedAt: Date): Promise<boolean> {
    const { changes } = await this.db.run(this.db.statements.updateLinkedAccountExtension, [extension, this.db.ts(updatedAt, 'updatedAt'), teamId, slackUserId]);
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
    const { rows } = await this.db.run(this.db.statements.getLinkedAccount, [teamId, slackUserId]);
    const row = rows[0];
    if (!row) return false;
    const oldCipher = optStr(row, 'refresh_token');
    const stored = oldCipher === undefined ? undefined : decryptToken(this.cipher, oldCipher, teamId, slackUserId, 'refresh_token');
    if (stored !== expectedRefreshToken) return false;
    const { changes } = await this.db.run(this.db.statements.swapLinkedAccountTokens, [
      this.#encrypt(teamId, slackUserId, tokens.accessToken, 'access_token'),
      tokens.refreshToken === undefined ? (oldCipher ?? null) : this.#encrypt(teamId, slackUserId, tokens.refreshToken, 'refresh_token'),
      this.db.ts(tokens.expiresAt, 'expiresAt'),
      this.db.ts(updatedAt, 'updatedAt'),
      teamId,
      slackUserId,
      oldCipher ?? null,
    ]);
    return changes > 0;
  }

  withTokenRefreshLock<T>(teamId: string, slackUserId: string, fn: () => Promise<T>): Promise<T> {
    return this.db.withLock(['token-refresh', teamId, slackUserId], fn);
  }

  reencryptTokens(): Promise<ReencryptCounts> {
    return reencryptTokens((sql, params) => this.db.run(sql, params), this.db.statements, this.cipher);
  }

  // Same SQL in both dialects, so not among the statements.
  async countLinkedAccounts(): Promise<number> {
    const { rows } = await this.db.run('SELECT COUNT(*) AS n FROM linked_accounts', []);
    return Number(rows[0]?.n ?? 0);
  }
}
