/**
 * Everything callops keeps about one workspace, forgotten at once when the workspace
 * uninstalls the app: its users' VoipNow links (tokens included), pending link states,
 * call cards, board cards with their audit threads, and watches. Rows of every other
 * workspace are untouched. (Watches' PhoneCallEvents are removed from the PBX before, by
 * the board, while the owner's token still works.)
 */
import type { SqlRunner } from './sql-runner.js';

const TABLES = ['linked_accounts', 'oauth_states', 'call_cards', 'audit_entries', 'board_cards', 'watches'] as const;

export type ForgottenRows = Record<(typeof TABLES)[number], number>;

export async function forgetWorkspace(sql: SqlRunner, teamId: string): Promise<ForgottenRows> {
  if (!teamId) throw new Error('forgetWorkspace needs a team id');
  const counts = {} as ForgottenRows;
  for (const table of TABLES) counts[table] = (await sql.query(`DELETE FROM ${table} WHERE team_id = ?`, [teamId])).changes;
  return counts;
}

/** The workspace's VoipNow links and pending link states only (its server changed: they belong to the old one). */
export async function forgetWorkspaceLinks(sql: SqlRunner, teamId: string): Promise<{ linked_accounts: number; oauth_states: number }> {
  if (!teamId) throw new Error('forgetWorkspaceLinks needs a team id');
  const linked_accounts = (await sql.query('DELETE FROM linked_accounts WHERE team_id = ?', [teamId])).changes;
  const oauth_states = (await sql.query('DELETE FROM oauth_states WHERE team_id = ?', [teamId])).changes;
  return { linked_accounts, oauth_states };
}
