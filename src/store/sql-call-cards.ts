/** Call cards over SQL: the messages showing a call, found by the call to keep them current. */
import { toCallCard } from './rows.js';
import type { SqlSession } from './sql-session.js';
import type { CallCard, CallCardStore } from './types.js';

export interface CallCardStatements {
  /** (team_id, channel_id, message_ts, phone_call_id, extension, posted_by, updated_at); upsert */
  upsertCallCard: string;
  /** (phone_call_id) → call_cards rows, ordered */
  findCallCards: string;
  /** (team_id, channel_id, message_ts) */
  deleteCallCard: string;
}

export class SqlCallCardStore implements CallCardStore {
  constructor(private readonly db: SqlSession<CallCardStatements>) {}

  async saveCallCard(c: CallCard): Promise<void> {
    await this.db.run(this.db.statements.upsertCallCard, [c.teamId, c.channelId, c.messageTs, c.phoneCallId, c.extension, c.postedBy ?? null, this.db.ts(c.updatedAt, 'updatedAt')]);
  }

  async findCallCards(phoneCallId: string): Promise<CallCard[]> {
    const { rows } = await this.db.run(this.db.statements.findCallCards, [phoneCallId]);
    return rows.map(toCallCard);
  }

  async deleteCallCard(teamId: string, channelId: string, messageTs: string): Promise<void> {
    await this.db.run(this.db.statements.deleteCallCard, [teamId, channelId, messageTs]);
  }
}
