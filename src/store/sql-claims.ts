/**
 * Request claims over SQL: a key is claimed by inserting its row, so the database decides the
 * one winner among concurrent claimers, in every process sharing it.
 */
import type { SqlSession } from './sql-session.js';
import type { ClaimStore } from './types.js';

export interface ClaimStatements {
  /** (now): delete request claims with expires_at <= now */
  purgeExpiredClaims: string;
  /** (claim_key, expires_at, now); insert, or take over an expired claim of the key (changes 0 while a live claim holds it) */
  insertClaim: string;
  /** (claim_key) */
  deleteClaim: string;
}

/** Expired request claims of other keys are deleted by a claim at most this often (by the claim's clock). */
const CLAIM_PURGE_INTERVAL_MS = 60_000;

export class SqlClaimStore implements ClaimStore {
  #claimsPurgedAt: number | undefined;

  constructor(private readonly db: SqlSession<ClaimStatements>) {}

  async claimOnce(key: string, expiresAt: Date, now: Date = new Date()): Promise<boolean> {
    // One statement: a new key, or one whose claim has expired, is taken; a live claim is not.
    const claim = this.db.run(this.db.statements.insertClaim, [key, this.db.ts(expiresAt, 'expiresAt'), this.db.ts(now, 'now')]);
    // Other keys' expired claims go at most once a minute (and with the retention purge), alongside, not before.
    const purgeDue = this.#claimsPurgedAt === undefined || now.getTime() - this.#claimsPurgedAt >= CLAIM_PURGE_INTERVAL_MS;
    if (purgeDue) this.#claimsPurgedAt = now.getTime();
    const [{ changes }] = await Promise.all([claim, purgeDue ? this.db.run(this.db.statements.purgeExpiredClaims, [this.db.ts(now, 'now')]) : undefined]);
    return changes > 0;
  }

  async releaseClaim(key: string): Promise<void> {
    await this.db.run(this.db.statements.deleteClaim, [key]);
  }
}
