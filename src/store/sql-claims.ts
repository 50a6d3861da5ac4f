/**
 * Request claims over SQL: a key is claimed by inserting its row, so the database decides the
 * one winner among concurrent claimers, in every process sharing it.
 */
import type { SqlSession } from './sql-session.js';
import type { ClaimStore } from './types.js';

export interface ClaimStatements {
  /** (now): delete request claims with expires_at <= now */
  purgeExpiredClaims: string;
  /** (claim_key, expires_at); insert, ignoring a conflict (changes 0 when already claimed) */
  insertClaim: string;
  /** (claim_key) */
  deleteClaim: string;
}

export class SqlClaimStore implements ClaimStore {
  constructor(private readonly db: SqlSession<ClaimStatements>) {}

  async claimOnce(key: string, expiresAt: Date, now: Date = new Date()): Promise<boolean> {
    const expires = this.db.ts(expiresAt, 'expiresAt');
    await this.db.run(this.db.statements.purgeExpiredClaims, [this.db.ts(now, 'now')]);
    const { changes } = await this.db.run(this.db.statements.insertClaim, [key, expires]);
    return changes > 0;
  }

  async releaseClaim(key: string): Promise<void> {
    await this.db.run(this.db.statements.deleteClaim, [key]);
  }
}
