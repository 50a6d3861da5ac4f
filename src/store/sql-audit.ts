/** Audit lines over SQL: each board card's thread, in order, fenced like the card itself. */
import { toAuditEntry } from './rows.js';
import { fenceParams, type SqlSession } from './sql-session.js';
import type { AuditEntry, AuditStore, BoardFence } from './types.js';

export interface AuditStatements {
  /** (team_id, channel_id, phone_call_id, seq, at, text, fence_key, epoch); upsert, fenced as upsertBoardCard */
  upsertAuditEntry: string;
  /** (team_id, channel_id, phone_call_id) → audit_entries rows by seq */
  listAuditEntries: string;
}

export class SqlAuditStore implements AuditStore {
  constructor(private readonly db: SqlSession<AuditStatements>) {}

  async appendAuditEntry(e: AuditEntry, fence?: BoardFence): Promise<boolean> {
    const params = [e.teamId, e.channelId, e.phoneCallId, e.seq, this.db.ts(e.at, 'at'), e.text, ...fenceParams(fence)];
    const { changes } = await this.db.run(this.db.statements.upsertAuditEntry, params);
    return changes > 0;
  }

  async listAuditEntries(teamId: string, channelId: string, phoneCallId: string): Promise<AuditEntry[]> {
    const { rows } = await this.db.run(this.db.statements.listAuditEntries, [teamId, channelId, phoneCallId]);
    return rows.map(toAuditEntry);
  }
}
