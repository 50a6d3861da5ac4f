/**
 * Request claims over SQL: a key is claimed by inserting its row, so the database decides the
 * one winner among concurrent claimers, in every process sharing it. A chain that admits an
 * action on a call also records the action's hold (`action_holds`), in the same statement.
 */
import type { NewIntent } from './outbox.js';
import { date, str } from './rows.js';
import type { SqlSession } from './sql-session.js';
import type { ActionHold, ChainedClaim, ClaimStore } from './types.js';

export interface ClaimStatements {
  /** (now): delete request claims with expires_at <= now */
  purgeExpiredClaims: string;
  /** (claim_key, expires_at, now); insert, or take over an expired claim of the key (changes 0 while a live claim holds it) */
  insertClaim: string;
  /** (claim_key) */
  deleteClaim: string;
  /**
   * (key1, expires1, key2, expires2, key3, expires3, now) → columns c1, c2, c3 (1: claimed): up to
   * three claims in one statement, each taken only when the ones before it were (a NULL key counts
   * as taken), then (hold_action_id, hold_phone_call_id, hold_until): the action hold, inserted
   * only when all three were taken (a NULL id: none), then (intent_key, team_id, channel_id,
   * phone_call_id, kind, seq, payload, created_at): an outbox intent (a press's note) upserted in
   * the same statement whatever the claims answer (all NULL: none). Optional: without it the note
   * is stored, the claims are made one after another, then the hold with `insertActionHold`.
   */
  claimChain?: string;
  /** (action_id, phone_call_id, holds_until); an action id already recorded is left as it is */
  insertActionHold: string;
  /** (phone call ids as a JSON array of strings, now) → action_holds rows with holds_until > now */
  listActionHolds: string;
  /** (now): delete action holds with holds_until <= now */
  purgeExpiredActionHolds: string;
}

/** Expired request claims of other keys are deleted by a claim at most this often (by the claim's clock). */
const CLAIM_PURGE_INTERVAL_MS = 60_000;

export class SqlClaimStore implements ClaimStore {
  #claimsPurgedAt: number | undefined;

  constructor(
    private readonly db: SqlSession<ClaimStatements>,
    /** Stores an outbox intent on its own (the board's outbox of the same database). */
    private readonly recordIntent: (intent: NewIntent) => Promise<unknown>,
  ) {}

  async claimOnce(key: string, expiresAt: Date, now: Date = new Date()): Promise<boolean> {
    // One statement: a new key, or one whose claim has expired, is taken; a live claim is not.
    const claim = this.db.run(this.db.statements.insertClaim, [key, this.db.ts(expiresAt, 'expiresAt'), this.db.ts(now, 'now')]);
    const [{ changes }] = await Promise.all([claim, this.#purgeIfDue(now)]);
    return changes > 0;
  }

  /** Other keys' expired claims go at most once a minute (and with the retention purge), alongside a claim, not before. */
  #purgeIfDue(now: Date): Promise<unknown> | undefined {
    const purgeDue = this.#claimsPurgedAt === undefined || now.getTime() - this.#claimsPurgedAt >= CLAIM_PURGE_INTERVAL_MS;
    if (!purgeDue) return undefined;
    this.#claimsPurgedAt = now.getTime();
    const at = this.db.ts(now, 'now');
    return Promise.all([this.db.run(this.db.statements.purgeExpiredClaims, [at]), this.db.run(this.db.statements.purgeExpiredActionHolds, [at])]);
  }

  /**
   * Claims in order, each only once the ones before it are held: true for each claimed (or
   * undefined) key, false from the first one that was not claimed on (the later ones were not tried).
   * `hold` is recorded when every claim was taken (with the claims, in one statement when the dialect has it);
   * `note` is stored first (or in the same statement), whatever the claims answer.
   */
  async claimChain(claims: readonly ChainedClaim[], now: Date = new Date(), hold?: ActionHold, note?: NewIntent): Promise<boolean[]> {
    const sql = this.db.statements.claimChain;
    if (!sql || claims.length > 3) {
      if (note) await this.recordIntent(note);
      const out: boolean[] = [];
      for (const c of claims) out.push(out.every(Boolean) && (c.key === undefined || (await this.claimOnce(c.key, c.expiresAt, now))));
      if (hold && out.every(Boolean)) await this.db.run(this.db.statements.insertActionHold, this.#holdParams(hold));
      return out;
    }
    const params = [0, 1, 2].flatMap((i) => {
      const c = claims[i];
      return [c?.key ?? null, c ? this.db.ts(c.expiresAt, 'expiresAt') : null];
    });
    const held = hold ? this.#holdParams(hold) : [null, null, null];
    const noted = note
      ? [note.key, note.teamId, note.channelId, note.phoneCallId, note.kind, note.seq, note.payload, this.db.ts(note.createdAt, 'createdAt')]
      : [null, null, null, null, null, null, null, null];
    const [{ rows }] = await Promise.all([this.db.run(sql, [...params, this.db.ts(now, 'now'), ...held, ...noted]), this.#purgeIfDue(now)]);
    const row = rows[0] ?? {};
    return claims.map((_, i) => Number(row[`c${i + 1}`]) > 0);
  }

  #holdParams(hold: ActionHold) {
    return [hold.actionId, hold.phoneCallId, this.db.ts(hold.until, 'until')];
  }

  async listActionHolds(phoneCallIds: readonly string[], now: Date = new Date()): Promise<ActionHold[]> {
    if (phoneCallIds.length === 0) return [];
    const { rows } = await this.db.run(this.db.statements.listActionHolds, [JSON.stringify(phoneCallIds), this.db.ts(now, 'now')]);
    return rows.map((r) => ({ actionId: str(r, 'action_id'), phoneCallId: str(r, 'phone_call_id'), until: date(r, 'holds_until') }));
  }

  async releaseClaim(key: string): Promise<void> {
    await this.db.run(this.db.statements.deleteClaim, [key]);
  }
}
