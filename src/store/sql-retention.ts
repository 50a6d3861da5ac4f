/** Retention over SQL: one sweep deletes what is old (ended cards, their lines and outbox intents) or expired. */
import type { ClaimStatements } from './sql-claims.js';
import type { OAuthStateStatements } from './sql-oauth-states.js';
import type { OpenModalStatements } from './sql-open-modals.js';
import type { SqlParam, SqlSession } from './sql-session.js';
import type { PurgeCounts, RetentionStore } from './types.js';

export interface RetentionStatements {
  /** (before, before): delete audit lines older than before whose card is gone, or ended and last updated before it */
  purgeAuditEntries: string;
  /**
   * (before, before): delete outbox intents created before it whose card is gone, or ended and last
   * updated before it (delivered or not); a live card's intents are never deleted, nor newer ones
   */
  purgeOutboxIntents: string;
  /** (before): delete ended board cards last updated before it */
  purgeEndedBoardCards: string;
  /** (before): delete call cards last updated before it */
  purgeCallCards: string;
  /** (before): delete card versions last updated before it */
  purgeCardVersions: string;
}

type Statements = RetentionStatements &
  Pick<ClaimStatements, 'purgeExpiredClaims' | 'purgeExpiredActionHolds'> &
  Pick<OAuthStateStatements, 'purgeExpiredOAuthStates'> &
  Pick<OpenModalStatements, 'purgeOpenModals'>;

export class SqlRetentionStore implements RetentionStore {
  constructor(private readonly db: SqlSession<Statements>) {}

  async purgeExpired(before: Date, now: Date): Promise<PurgeCounts> {
    const b = this.db.ts(before, 'before');
    const n = this.db.ts(now, 'now');
    const s = this.db.statements;
    const deleted = async (sql: string, params: readonly SqlParam[]) => (await this.db.run(sql, params)).changes;
    // Audit lines and outbox intents first: they are judged by their card, which goes next.
    const auditEntries = await deleted(s.purgeAuditEntries, [b, b]);
    const outboxIntents = await deleted(s.purgeOutboxIntents, [b, b]);
    const boardCards = await deleted(s.purgeEndedBoardCards, [b]);
    const callCards = await deleted(s.purgeCallCards, [b]);
    const cardVersions = await deleted(s.purgeCardVersions, [b]);
    const claims = (await deleted(s.purgeExpiredClaims, [n])) + (await deleted(s.purgeExpiredActionHolds, [n]));
    const oauthStates = await deleted(s.purgeExpiredOAuthStates, [n]);
    const openModals = await deleted(s.purgeOpenModals, [n]);
    return { boardCards, auditEntries, outboxIntents, callCards, cardVersions, claims, oauthStates, openModals };
  }
}
