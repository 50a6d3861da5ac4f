/** Card versions over SQL: how many states each message showing a call has shown, bumped atomically. */
import { str } from './rows.js';
import type { SqlSession } from './sql-session.js';
import type { CardMessage, CardVersion, CardVersionStore } from './types.js';

export interface CardVersionStatements {
  /** (channel_id, message_ts, shows, updated_at); version 1 for a new card, else one more; RETURNING version */
  bumpCardVersion: string;
  /** (channel_id, message_ts) → a card_versions row */
  getCardVersion: string;
}

export class SqlCardVersionStore implements CardVersionStore {
  constructor(private readonly db: SqlSession<CardVersionStatements>) {}

  async nextCardVersion(card: CardMessage, shows: string, now: Date = new Date()): Promise<number> {
    const { rows } = await this.db.run(this.db.statements.bumpCardVersion, [card.channelId, card.messageTs, shows, this.db.ts(now, 'now')]);
    return Number(rows[0]?.version ?? 1);
  }

  async getCardVersion(card: CardMessage): Promise<CardVersion | undefined> {
    const { rows } = await this.db.run(this.db.statements.getCardVersion, [card.channelId, card.messageTs]);
    const row = rows[0];
    return row ? { version: Number(row.version), shows: str(row, 'shows') } : undefined;
  }
}
