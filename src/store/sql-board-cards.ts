/**
 * Board cards over SQL. Every write names the writer's fence and is refused in the same
 * statement when a newer epoch was raised for its key, so a holder that lost the board writes nothing.
 */
import { toBoardCard } from './rows.js';
import { fenceParams, type SqlSession } from './sql-session.js';
import type { BoardCard, BoardCardMemory, BoardCardStore, BoardFence } from './types.js';

export interface BoardCardStatements {
  /** (team_id, channel_id, phone_call_id, message_ts, extension, state, ended, updated_at, fence_key, epoch);
   *  upsert, unless board_fences holds a newer epoch for fence_key (changes 0 then) */
  upsertBoardCard: string;
  /** (team_id, channel_id, phone_call_id) → a board_cards row */
  getBoardCard: string;
  /** () → board_cards rows with ended = 0, ordered */
  listLiveBoardCards: string;
  /** (team_id, channel_id, message_ts) → a board_cards row */
  findBoardCardAt: string;
  /** (alerts, leg_hints, acted_at, team_id, channel_id, phone_call_id, fence_key, epoch); fenced as upsertBoardCard */
  updateBoardCardMemory: string;
  /** (fence_key, epoch) → the fence's epoch after raising it to at least epoch */
  raiseBoardFence: string;
}

export class SqlBoardCardStore implements BoardCardStore {
  constructor(private readonly db: SqlSession<BoardCardStatements>) {}

  async saveBoardCard(c: BoardCard, fence?: BoardFence): Promise<boolean> {
    const row = [c.teamId, c.channelId, c.phoneCallId, c.messageTs ?? null, c.extension, c.state, c.ended ? 1 : 0, this.db.ts(c.updatedAt, 'updatedAt')];
    const { changes } = await this.db.run(this.db.statements.upsertBoardCard, [...row, ...fenceParams(fence)]);
    return changes > 0;
  }

  async getBoardCard(teamId: string, channelId: string, phoneCallId: string): Promise<BoardCard | undefined> {
    const { rows } = await this.db.run(this.db.statements.getBoardCard, [teamId, channelId, phoneCallId]);
    return rows[0] ? toBoardCard(rows[0]) : undefined;
  }

  async findBoardCardAt(teamId: string, channelId: string, messageTs: string): Promise<BoardCard | undefined> {
    const { rows } = await this.db.run(this.db.statements.findBoardCardAt, [teamId, channelId, messageTs]);
    return rows[0] ? toBoardCard(rows[0]) : undefined;
  }

  async listLiveBoardCards(): Promise<BoardCard[]> {
    const { rows } = await this.db.run(this.db.statements.listLiveBoardCards, []);
    return rows.map(toBoardCard);
  }

  async saveBoardCardMemory(teamId: string, channelId: string, phoneCallId: string, memory: BoardCardMemory, fence?: BoardFence): Promise<boolean> {
    const actedAt = memory.actedAt ? this.db.ts(memory.actedAt, 'actedAt') : null;
    const params = [memory.alerts ?? null, memory.legHints ?? null, actedAt, teamId, channelId, phoneCallId, ...fenceParams(fence)];
    const { changes } = await this.db.run(this.db.statements.updateBoardCardMemory, params);
    return changes > 0;
  }

  async raiseBoardFence(fence: BoardFence): Promise<number> {
    const { rows } = await this.db.run(this.db.statements.raiseBoardFence, fenceParams(fence));
    return Number(rows[0]?.epoch ?? fence.epoch);
  }
}
