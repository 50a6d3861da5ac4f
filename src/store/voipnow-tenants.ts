/**
 * The VoipNow server of each workspace in distribution mode (one tenant per workspace): its
 * address, the VoipNow app's client id and secret (encrypted at rest, bound to its row),
 * optionally a CA in PEM, who set it and when, and when it was last seen working. The
 * same SQL serves SQLite and PostgreSQL.
 */
import type { TokenCipher } from './crypto.js';
import { TokenDecryptionError } from './crypto.js';
import type { SqlRunner } from './sql-runner.js';

export interface VoipnowTenant {
  teamId: string;
  /** https://voipnow.example.com */
  url: string;
  clientId: string;
  /** Stored encrypted; returned decrypted. */
  clientSecret: string;
  /** A CA to trust, PEM text. */
  caPem?: string;
  setBy: string;
  setAt: Date;
  /** When callops last reached it with these settings. */
  lastOkAt?: Date;
}

export interface VoipnowTenantStore {
  /** Upsert on teamId: the workspace's server is replaced. */
  save(t: VoipnowTenant): Promise<void>;
  find(teamId: string): Promise<VoipnowTenant | undefined>;
  /** Records that the server answered with these settings; false when the workspace has none. */
  markOk(teamId: string, at: Date): Promise<boolean>;
  /** True if one was deleted (uninstall). */
  delete(teamId: string): Promise<boolean>;
}

const context = (teamId: string) => JSON.stringify(['callops', 'voipnow_tenants', teamId, 'client_secret']);
const when = (v: unknown): Date | undefined => (v === null || v === undefined ? undefined : v instanceof Date ? v : new Date(Number(v)));

export class SqlVoipnowTenantStore implements VoipnowTenantStore {
  constructor(
    private readonly sql: SqlRunner,
    private readonly cipher: TokenCipher,
  ) {}

  private stamp(d: Date | undefined): Date | number | null {
    if (!d) return null;
    return this.sql.dialect === 'postgres' ? d : d.getTime();
  }

  async save(t: VoipnowTenant): Promise<void> {
    await this.sql.query(
      `INSERT INTO voipnow_tenants (team_id, url, client_id, client_secret, ca_pem, set_by, set_at, last_ok_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (team_id) DO UPDATE SET url = excluded.url, client_id = excluded.client_id, client_secret = excluded.client_secret,
          ca_pem = excluded.ca_pem, set_by = excluded.set_by, set_at = excluded.set_at, last_ok_at = excluded.last_ok_at`,
      [t.teamId, t.url, t.clientId, this.cipher.encrypt(t.clientSecret, context(t.teamId)), t.caPem ?? null, t.setBy, this.stamp(t.setAt), this.stamp(t.lastOkAt)],
    );
  }

  async find(teamId: string): Promise<VoipnowTenant | undefined> {
    const r = (await this.sql.query('SELECT * FROM voipnow_tenants WHERE team_id = ?', [teamId])).rows[0];
    if (!r) return undefined;
    let clientSecret: string;
    try {
      clientSecret = this.cipher.decrypt(String(r.client_secret), context(teamId));
    } catch (err) {
      if (!(err instanceof TokenDecryptionError)) throw err;
      throw new TokenDecryptionError(
        `Cannot decrypt the stored VoipNow client secret of workspace ${teamId}: TOKEN_ENCRYPTION_KEY is not the key it was stored with, or the stored value was altered.`,
        { cause: err },
      );
    }
    const lastOkAt = when(r.last_ok_at);
    return {
      teamId,
      url: String(r.url),
      clientId: String(r.client_id),
      clientSecret,
      ...(typeof r.ca_pem === 'string' && r.ca_pem && { caPem: r.ca_pem }),
      setBy: String(r.set_by),
      setAt: when(r.set_at)!,
      ...(lastOkAt && { lastOkAt }),
    };
  }

  async markOk(teamId: string, at: Date): Promise<boolean> {
    return (await this.sql.query('UPDATE voipnow_tenants SET last_ok_at = ? WHERE team_id = ?', [this.stamp(at), teamId])).changes > 0;
  }

  async delete(teamId: string): Promise<boolean> {
    return (await this.sql.query('DELETE FROM voipnow_tenants WHERE team_id = ?', [teamId])).changes > 0;
  }
}
