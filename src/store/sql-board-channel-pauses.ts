/** Paused board channels over SQL: a channel that refused the bot's writes stays paused across restarts until the bot is invited again. */
import { date, str } from './rows.js';
import type { SqlSession } from './sql-session.js';
import type { BoardChannelPause, BoardChannelPauseStore } from './types.js';

export interface BoardChannelPauseStatements {
  /** (team_id, channel_id, paused_at, reason); insert, ignoring a conflict */
  insertBoardChannelPause: string;
  /** (team_id, channel_id) */
  deleteBoardChannelPause: string;
  /** () → board_channel_pauses rows, ordered */
  listBoardChannelPauses: string;
}

export class SqlBoardChannelPauseStore implements BoardChannelPauseStore {
  constructor(private readonly db: SqlSession<BoardChannelPauseStatements>) {}

  async pauseBoardChannel(p: BoardChannelPause): Promise<boolean> {
    const { changes } = await this.db.run(this.db.statements.insertBoardChannelPause, [p.teamId, p.channelId, this.db.ts(p.pausedAt, 'pausedAt'), p.reason]);
    return changes > 0;
  }

  async resumeBoardChannel(teamId: string, channelId: string): Promise<boolean> {
    const { changes } = await this.db.run(this.db.statements.deleteBoardChannelPause, [teamId, channelId]);
    return changes > 0;
  }

  async listBoardChannelPauses(): Promise<BoardChannelPause[]> {
    const { rows } = await this.db.run(this.db.statements.listBoardChannelPauses, []);
    return rows.map((r) => ({ teamId: str(r, 'team_id'), channelId: str(r, 'channel_id'), pausedAt: date(r, 'paused_at'), reason: str(r, 'reason') }));
  }
}
