/** Phone lines over SQL: linked users' default extensions as the phone features read them (no tokens), and their missed-call DM switch. */
import { str } from './rows.js';
import type { SqlSession } from './sql-session.js';
import type { LinkedLine, PhoneLineStore } from './types.js';

export interface PhoneLineStatements {
  /** (missed_call_dms 0|1, team_id, slack_user_id) */
  updateMissedCallDms: string;
}

export class SqlPhoneLineStore implements PhoneLineStore {
  constructor(private readonly db: SqlSession<PhoneLineStatements>) {}

  // No parameters: the same SQL in both dialects.
  async listLinkedLines(): Promise<LinkedLine[]> {
    const { rows } = await this.db.run('SELECT team_id, slack_user_id, extension, missed_call_dms FROM linked_accounts WHERE extension IS NOT NULL ORDER BY team_id, slack_user_id', []);
    return rows.map((r) => ({
      teamId: str(r, 'team_id'),
      slackUserId: str(r, 'slack_user_id'),
      extension: str(r, 'extension'),
      missedCallDms: Number(r.missed_call_dms ?? 1) !== 0,
    }));
  }

  async setMissedCallDms(teamId: string, slackUserId: string, on: boolean): Promise<boolean> {
    const { changes } = await this.db.run(this.db.statements.updateMissedCallDms, [on ? 1 : 0, teamId, slackUserId]);
    return changes > 0;
  }
}
