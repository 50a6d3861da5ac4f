/**
 * Pending OAuth authorizations over SQL. The database keeps only a SHA-256 of each `state`, so
 * it never holds a usable one; a state is deleted as it is read, so it serves once.
 */
import { createHash } from 'node:crypto';
import { toOAuthState } from './rows.js';
import type { SqlSession } from './sql-session.js';
import type { OAuthState, OAuthStateStore } from './types.js';

export interface OAuthStateStatements {
  /** (state, team_id, slack_user_id, channel_id, response_url, expires_at, extension) */
  insertOAuthState: string;
  /** (now): delete states with expires_at <= now */
  purgeExpiredOAuthStates: string;
  /** (state): DELETE ... RETURNING the oauth_states row */
  consumeOAuthState: string;
}

/** What the database keeps of an OAuth state: its SHA-256, never the value itself. */
function oauthStateKey(state: string): string {
  return createHash('sha256').update(state, 'utf8').digest('hex');
}

export class SqlOAuthStateStore implements OAuthStateStore {
  constructor(private readonly db: SqlSession<OAuthStateStatements>) {}

  async createOAuthState(s: OAuthState): Promise<void> {
    const expiresAt = this.db.ts(s.expiresAt, 'expiresAt');
    await this.db.run(this.db.statements.purgeExpiredOAuthStates, [this.db.ts(new Date(), 'now')]);
    await this.db.run(this.db.statements.insertOAuthState, [oauthStateKey(s.state), s.teamId, s.slackUserId, s.channelId ?? null, s.responseUrl ?? null, expiresAt, s.extension ?? null]);
  }

  async consumeOAuthState(state: string, now: Date = new Date()): Promise<OAuthState | undefined> {
    this.db.ts(now, 'now');
    const { rows } = await this.db.run(this.db.statements.consumeOAuthState, [oauthStateKey(state)]);
    const row = rows[0];
    if (!row) return undefined;
    const s = { ...toOAuthState(row), state };
    return s.expiresAt.getTime() > now.getTime() ? s : undefined;
  }
}
