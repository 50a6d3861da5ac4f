/** Slack Calls over SQL: the Slack Call registered for a PBX call placed from Slack, taken once when the PBX call ends. */
import { toSlackCall } from './rows.js';
import type { SqlSession } from './sql-session.js';
import type { SlackCall, SlackCallStore } from './types.js';

export interface SlackCallStatements {
  /** (team_id, phone_call_id, slack_call_id, slack_user_id, extension, created_at); upsert */
  upsertSlackCall: string;
  /** (team_id, phone_call_id): DELETE ... RETURNING the slack_calls row */
  takeSlackCall: string;
}

export class SqlSlackCallStore implements SlackCallStore {
  constructor(private readonly db: SqlSession<SlackCallStatements>) {}

  async saveSlackCall(c: SlackCall): Promise<void> {
    await this.db.run(this.db.statements.upsertSlackCall, [c.teamId, c.phoneCallId, c.slackCallId, c.slackUserId, c.extension, this.db.ts(c.createdAt, 'createdAt')]);
  }

  // Same SQL in both dialects, so not among the statements.
  async listSlackCalls(): Promise<SlackCall[]> {
    const { rows } = await this.db.run('SELECT * FROM slack_calls ORDER BY created_at, team_id, phone_call_id', []);
    return rows.map(toSlackCall);
  }

  async takeSlackCall(teamId: string, phoneCallId: string): Promise<SlackCall | undefined> {
    const { rows } = await this.db.run(this.db.statements.takeSlackCall, [teamId, phoneCallId]);
    return rows[0] && toSlackCall(rows[0]);
  }
}
