/**
 * Slack installations of a distributed callops: one row per workspace that installed it
 * with "Add to Slack", or one per Enterprise Grid org installed org-wide. The bot token
 * and its refresh token are encrypted at rest like VoipNow tokens, each bound to its row
 * and column; everything else is plain. The same SQL serves SQLite and PostgreSQL.
 */
import type { TokenCipher } from './crypto.js';
import { TokenDecryptionError } from './crypto.js';
import type { SqlRunner } from './sql-runner.js';

export interface SlackInstallation {
  /** The workspace; absent for an org-wide install. */
  teamId?: string;
  teamName?: string;
  enterpriseId?: string;
  enterpriseName?: string;
  /** Installed for every workspace of the Enterprise Grid org (`is_enterprise_install`). */
  enterpriseInstall: boolean;
  /** Stored encrypted; returned decrypted. */
  botToken: string;
  botUserId: string;
  botId?: string;
  /** Bot scopes granted. */
  scopes: string[];
  /** Token rotation: the refresh token (stored encrypted) and when the bot token expires. */
  refreshToken?: string;
  expiresAt?: Date;
  /** Who installed it. */
  installerUserId?: string;
  appId?: string;
  installedAt: Date;
  updatedAt: Date;
}

/** Which installation: a workspace, or an org (org-wide install). */
export interface InstallationKey {
  teamId?: string;
  enterpriseId?: string;
  /** Look up the org-wide install of `enterpriseId` rather than a workspace's own. */
  enterpriseInstall?: boolean;
}

export interface InstallationStore {
  /** Upsert on (enterprise, team): installing again replaces the earlier installation. */
  save(i: SlackInstallation): Promise<void>;
  /**
   * The installation serving this key: the workspace's own, else (with an enterpriseId)
   * its org's org-wide install. An org-wide key finds only the org-wide install.
   */
  find(key: InstallationKey): Promise<SlackInstallation | undefined>;
  /** Deletes the installation of exactly this key; true if one was deleted. */
  delete(key: InstallationKey): Promise<boolean>;
  /** For metrics and the install page: how many installations there are. */
  count(): Promise<number>;
  /**
   * A workspace of an org was seen acting under the org-wide install: remembered, so work
   * that names only the workspace (board writes) finds the org's token, and so the org's
   * uninstall knows which workspaces' data to forget.
   */
  noteOrgWorkspace(teamId: string, enterpriseId: string): Promise<void>;
  /** The workspaces seen under an org-wide install. */
  orgWorkspaces(enterpriseId: string): Promise<string[]>;
}

const UPSERT = `INSERT INTO slack_installations (enterprise_id, team_id, enterprise_install, team_name, enterprise_name,
    bot_token, bot_user_id, bot_id, scopes, refresh_token, expires_at, installer_user_id, app_id, installed_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (enterprise_id, team_id) DO UPDATE SET
    enterprise_install = excluded.enterprise_install, team_name = excluded.team_name, enterprise_name = excluded.enterprise_name,
    bot_token = excluded.bot_token, bot_user_id = excluded.bot_user_id, bot_id = excluded.bot_id, scopes = excluded.scopes,
    refresh_token = excluded.refresh_token, expires_at = excluded.expires_at, installer_user_id = excluded.installer_user_id,
    app_id = excluded.app_id, installed_at = excluded.installed_at, updated_at = excluded.updated_at`;

type Row = Record<string, unknown>;

/** The stored key columns: '' for an absent part, so the primary key stays NOT NULL. */
function keyColumns(key: InstallationKey): [string, string] {
  if (key.enterpriseInstall) return [key.enterpriseId ?? '', ''];
  return [key.enterpriseId ?? '', key.teamId ?? ''];
}

/** Binds a token ciphertext to its installation and column. */
function context(enterpriseId: string, teamId: string, column: 'bot_token' | 'refresh_token'): string {
  return JSON.stringify(['callops', 'slack_installations', enterpriseId, teamId, column]);
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const when = (v: unknown): Date | undefined => (v === null || v === undefined ? undefined : v instanceof Date ? v : new Date(Number(v)));

export class SqlInstallationStore implements InstallationStore {
  constructor(
    private readonly sql: SqlRunner,
    private readonly cipher: TokenCipher,
  ) {}

  private stamp(d: Date | undefined): Date | number | null {
    if (!d) return null;
    return this.sql.dialect === 'postgres' ? d : d.getTime();
  }

  async save(i: SlackInstallation): Promise<void> {
    const [enterpriseId, teamId] = keyColumns({ enterpriseId: i.enterpriseId, teamId: i.teamId, enterpriseInstall: i.enterpriseInstall });
    if (!enterpriseId && !teamId) throw new Error('an installation needs a team or an enterprise');
    await this.sql.query(UPSERT, [
      enterpriseId,
      teamId,
      i.enterpriseInstall ? 1 : 0,
      i.teamName ?? null,
      i.enterpriseName ?? null,
      this.cipher.encrypt(i.botToken, context(enterpriseId, teamId, 'bot_token')),
      i.botUserId,
      i.botId ?? null,
      i.scopes.join(','),
      i.refreshToken ? this.cipher.encrypt(i.refreshToken, context(enterpriseId, teamId, 'refresh_token')) : null,
      this.stamp(i.expiresAt),
      i.installerUserId ?? null,
      i.appId ?? null,
      this.stamp(i.installedAt),
      this.stamp(i.updatedAt),
    ]);
  }

  async find(key: InstallationKey): Promise<SlackInstallation | undefined> {
    const [enterpriseId, teamId] = keyColumns(key);
    if (!key.enterpriseInstall && teamId) {
      // The workspace's own installation (whichever org it was installed under), else its org's.
      const own = await this.sql.query('SELECT * FROM slack_installations WHERE team_id = ? AND enterprise_install = 0 ORDER BY updated_at DESC', [teamId]);
      const row = own.rows.find((r) => !enterpriseId || r.enterprise_id === enterpriseId || r.enterprise_id === '') ?? (enterpriseId ? undefined : own.rows[0]);
      if (row) return this.decode(row);
    }
    if (!enterpriseId && teamId && !key.enterpriseInstall) {
      // Only the workspace is named: the org it was seen acting under, if any.
      const seen = await this.sql.query('SELECT enterprise_id FROM slack_org_workspaces WHERE team_id = ?', [teamId]);
      const org = seen.rows[0]?.enterprise_id;
      return typeof org === 'string' && org ? this.find({ enterpriseId: org, enterpriseInstall: true }) : undefined;
    }
    if (!enterpriseId) return undefined;
    const org = await this.sql.query("SELECT * FROM slack_installations WHERE enterprise_id = ? AND team_id = '' AND enterprise_install = 1", [enterpriseId]);
    return org.rows[0] && this.decode(org.rows[0]);
  }

  async delete(key: InstallationKey): Promise<boolean> {
    const [enterpriseId, teamId] = keyColumns(key);
    if (key.enterpriseInstall || !teamId) {
      const deleted = (await this.sql.query("DELETE FROM slack_installations WHERE enterprise_id = ? AND team_id = ''", [enterpriseId])).changes > 0;
      await this.sql.query('DELETE FROM slack_org_workspaces WHERE enterprise_id = ?', [enterpriseId]);
      return deleted;
    }
    // A workspace's installation, under whichever org it was made.
    return (await this.sql.query('DELETE FROM slack_installations WHERE team_id = ? AND enterprise_install = 0', [teamId])).changes > 0;
  }

  async count(): Promise<number> {
    const { rows } = await this.sql.query('SELECT COUNT(*) AS n FROM slack_installations', []);
    return Number(rows[0]?.n ?? 0);
  }

  async noteOrgWorkspace(teamId: string, enterpriseId: string): Promise<void> {
    await this.sql.query('INSERT INTO slack_org_workspaces (team_id, enterprise_id) VALUES (?, ?) ON CONFLICT (team_id) DO UPDATE SET enterprise_id = excluded.enterprise_id', [
      teamId,
      enterpriseId,
    ]);
  }

  async orgWorkspaces(enterpriseId: string): Promise<string[]> {
    const { rows } = await this.sql.query('SELECT team_id FROM slack_org_workspaces WHERE enterprise_id = ? ORDER BY team_id', [enterpriseId]);
    return rows.map((r) => String(r.team_id));
  }

  private decode(r: Row): SlackInstallation {
    const enterpriseId = String(r.enterprise_id ?? '');
    const teamId = String(r.team_id ?? '');
    const decrypt = (payload: unknown, column: 'bot_token' | 'refresh_token'): string => {
      try {
        return this.cipher.decrypt(String(payload), context(enterpriseId, teamId, column));
      } catch (err) {
        if (!(err instanceof TokenDecryptionError)) throw err;
        throw new TokenDecryptionError(
          `Cannot decrypt the stored Slack ${column} of the installation (team ${teamId || '-'}, enterprise ${enterpriseId || '-'}): TOKEN_ENCRYPTION_KEY is not the key it was stored with, or the stored value was altered.`,
          { cause: err },
        );
      }
    };
    const expiresAt = when(r.expires_at);
    const refresh = text(r.refresh_token);
    return {
      ...(teamId && { teamId }),
      ...(text(r.team_name) && { teamName: text(r.team_name) }),
      ...(enterpriseId && { enterpriseId }),
      ...(text(r.enterprise_name) && { enterpriseName: text(r.enterprise_name) }),
      enterpriseInstall: Number(r.enterprise_install) === 1,
      botToken: decrypt(r.bot_token, 'bot_token'),
      botUserId: String(r.bot_user_id),
      ...(text(r.bot_id) && { botId: text(r.bot_id) }),
      scopes: String(r.scopes ?? '')
        .split(',')
        .filter(Boolean),
      ...(refresh && { refreshToken: decrypt(refresh, 'refresh_token') }),
      ...(expiresAt && { expiresAt }),
      ...(text(r.installer_user_id) && { installerUserId: text(r.installer_user_id) }),
      ...(text(r.app_id) && { appId: text(r.app_id) }),
      installedAt: when(r.installed_at)!,
      updatedAt: when(r.updated_at)!,
    };
  }
}
