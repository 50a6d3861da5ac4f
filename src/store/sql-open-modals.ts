/**
 * Open action modals over SQL: where each modal's card is, taken (deleted on read) by whichever
 * replica receives the submission.
 */
import { date, str } from './rows.js';
import type { SqlSession } from './sql-session.js';
import type { OpenModalStore } from './types.js';

export interface OpenModalStatements {
  /** (modal_id, place, expires_at); insert */
  insertOpenModal: string;
  /** (modal_id): DELETE ... RETURNING the open_modals row */
  takeOpenModal: string;
  /** (now): delete open modals with expires_at <= now */
  purgeOpenModals: string;
}

export class SqlOpenModalStore implements OpenModalStore {
  constructor(private readonly db: SqlSession<OpenModalStatements>) {}

  async saveOpenModal(id: string, place: string, expiresAt: Date, now: Date = new Date()): Promise<void> {
    await this.db.run(this.db.statements.purgeOpenModals, [this.db.ts(now, 'now')]);
    await this.db.run(this.db.statements.insertOpenModal, [id, place, this.db.ts(expiresAt, 'expiresAt')]);
  }

  async takeOpenModal(id: string, now: Date = new Date()): Promise<string | undefined> {
    const { rows } = await this.db.run(this.db.statements.takeOpenModal, [id]);
    const row = rows[0];
    if (!row) return undefined;
    return date(row, 'expires_at').getTime() > now.getTime() ? str(row, 'place') : undefined;
  }
}
