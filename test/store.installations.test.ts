/**
 * The Slack installation store and the forgetting of a workspace's data: one contract,
 * run on SQLite and on PostgreSQL (skipped, saying why, when no PostgreSQL answers).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresStore, SqliteStore, SqlInstallationStore, TokenCipher, forgetWorkspace, type SlackInstallation, type Store } from '../src/store/index.js';
import type { SqlRunner } from '../src/store/sql-runner.js';
import { freshSchema, pgAdmin, pgRequired, pgUnavailable, pgUrl } from './helpers/pg.js';

interface Backend {
  name: string;
  open(cipher: TokenCipher): Promise<{ store: Store; sql: SqlRunner; raw(sql: string): Promise<Record<string, unknown>[]>; close(): Promise<void> }>;
}

const sqlite: Backend = {
  name: 'SQLite',
  async open(cipher) {
    const store = new SqliteStore({ file: ':memory:', cipher });
    await store.init();
    const sql = store.sqlRunner();
    return { store, sql, raw: async (q) => (await sql.query(q, [])).rows, close: () => store.close() };
  },
};

const postgres: Backend = {
  name: 'PostgreSQL',
  async open(cipher) {
    const schema = freshSchema('callops_install');
    const store = new PostgresStore({ connectionString: pgUrl!, cipher, schema });
    await store.init();
    const sql = store.sqlRunner();
    return {
      store,
      sql,
      raw: async (q) => (await sql.query(q, [])).rows,
      close: async () => {
        await store.close();
        await pgAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      },
    };
  },
};

const at = (s: string) => new Date(`2026-01-02T03:04:${s}.567Z`);

function installation(over: Partial<SlackInstallation> = {}): SlackInstallation {
  return {
    teamId: 'T1',
    teamName: 'Acme',
    enterpriseInstall: false,
    botToken: 'xoxb-acme-secret',
    botUserId: 'UBOT1',
    botId: 'B1',
    scopes: ['commands', 'chat:write'],
    installerUserId: 'U1',
    appId: 'A1',
    installedAt: at('05'),
    updatedAt: at('05'),
    ...over,
  };
}

const backends = pgUrl || pgRequired ? [sqlite, postgres] : [sqlite];
if (!pgUrl && !pgRequired) describe.skip(`installation store on PostgreSQL (skipped: ${pgUnavailable})`, () => it('needs PostgreSQL', () => undefined));

for (const backend of backends) {
  describe(`installation store: ${backend.name}`, () => {
    let opened: Awaited<ReturnType<Backend['open']>>;
    let installs: SqlInstallationStore;
    const cipher = TokenCipher.fromKey(randomBytes(32).toString('hex'));

    beforeEach(async () => {
      opened = await backend.open(cipher);
      installs = new SqlInstallationStore(opened.sql, cipher);
    });
    afterEach(async () => opened.close());

    it('keeps every field of a workspace installation, tokens encrypted at rest', async () => {
      const saved = installation({ refreshToken: 'xoxe-1-refresh-secret', expiresAt: at('09') });
      await installs.save(saved);
      expect(await installs.find({ teamId: 'T1' })).toEqual(saved);
      const [row] = await opened.raw('SELECT * FROM slack_installations');
      expect(JSON.stringify(row)).not.toContain('xoxb-acme-secret');
      expect(JSON.stringify(row)).not.toContain('xoxe-1-refresh-secret');
      expect(await installs.count()).toBe(1);
    });

    it('installing again replaces the earlier installation', async () => {
      await installs.save(installation());
      await installs.save(installation({ botToken: 'xoxb-acme-new', scopes: ['commands'], updatedAt: at('30') }));
      expect(await installs.find({ teamId: 'T1' })).toMatchObject({ botToken: 'xoxb-acme-new', scopes: ['commands'] });
      expect(await installs.count()).toBe(1);
    });

    it('a workspace that never installed finds nothing', async () => {
      await installs.save(installation());
      expect(await installs.find({ teamId: 'T2' })).toBeUndefined();
      expect(await installs.find({ teamId: 'T2', enterpriseId: 'E1' })).toBeUndefined();
    });

    it('an org-wide install serves every workspace of its org, and only of its org', async () => {
      const org = installation({ teamId: undefined, teamName: undefined, enterpriseId: 'E1', enterpriseName: 'Acme Grid', enterpriseInstall: true, botToken: 'xoxb-org' });
      await installs.save(org);
      expect(await installs.find({ teamId: 'T7', enterpriseId: 'E1' })).toEqual(org);
      expect(await installs.find({ enterpriseId: 'E1', enterpriseInstall: true })).toEqual(org);
      expect(await installs.find({ teamId: 'T7', enterpriseId: 'E2' })).toBeUndefined();
      expect(await installs.find({ teamId: 'T7' })).toBeUndefined();
      // A workspace's own install wins over its org's.
      await installs.save(installation({ teamId: 'T7', enterpriseId: 'E1', botToken: 'xoxb-own' }));
      expect((await installs.find({ teamId: 'T7', enterpriseId: 'E1' }))?.botToken).toBe('xoxb-own');
      expect(await installs.delete({ enterpriseId: 'E1', enterpriseInstall: true })).toBe(true);
      expect(await installs.find({ teamId: 'T8', enterpriseId: 'E1' })).toBeUndefined();
      expect((await installs.find({ teamId: 'T7', enterpriseId: 'E1' }))?.botToken).toBe('xoxb-own');
    });

    it('a workspace seen under an org-wide install finds it by its team alone, until the org uninstalls', async () => {
      const org = installation({ teamId: undefined, enterpriseId: 'E1', enterpriseInstall: true, botToken: 'xoxb-org' });
      await installs.save(org);
      expect(await installs.find({ teamId: 'T7' })).toBeUndefined();
      await installs.noteOrgWorkspace('T7', 'E1');
      await installs.noteOrgWorkspace('T7', 'E1');
      await installs.noteOrgWorkspace('T8', 'E1');
      expect((await installs.find({ teamId: 'T7' }))?.botToken).toBe('xoxb-org');
      expect(await installs.orgWorkspaces('E1')).toEqual(['T7', 'T8']);
      expect(await installs.orgWorkspaces('E2')).toEqual([]);
      await installs.delete({ enterpriseId: 'E1', enterpriseInstall: true });
      expect(await installs.find({ teamId: 'T7' })).toBeUndefined();
      expect(await installs.orgWorkspaces('E1')).toEqual([]);
    });

    it('deleting one workspace leaves the others', async () => {
      await installs.save(installation());
      await installs.save(installation({ teamId: 'T2', botToken: 'xoxb-other' }));
      expect(await installs.delete({ teamId: 'T1' })).toBe(true);
      expect(await installs.delete({ teamId: 'T1' })).toBe(false);
      expect(await installs.find({ teamId: 'T1' })).toBeUndefined();
      expect((await installs.find({ teamId: 'T2' }))?.botToken).toBe('xoxb-other');
    });

    it('a token copied to another installation does not decrypt', async () => {
      await installs.save(installation());
      await installs.save(installation({ teamId: 'T2', botToken: 'xoxb-other' }));
      const [t1] = await opened.raw("SELECT bot_token FROM slack_installations WHERE team_id = 'T1'");
      await opened.sql.query("UPDATE slack_installations SET bot_token = ? WHERE team_id = 'T2'", [String(t1!.bot_token)]);
      await expect(installs.find({ teamId: 'T2' })).rejects.toThrow(/Cannot decrypt the stored Slack bot_token/);
    });

    it("forgetting a workspace deletes its links, states, cards and watches, nothing of another's", async () => {
      const { store } = opened;
      const now = at('10');
      for (const teamId of ['T1', 'T2']) {
        await store.saveLinkedAccount({ teamId, slackUserId: 'U1', voipnowUserId: '12', accessToken: 'a', refreshToken: 'r', expiresAt: now, linkedAt: now, updatedAt: now });
        await store.createOAuthState({ state: `s-${teamId}`, teamId, slackUserId: 'U1', expiresAt: new Date(Date.now() + 60_000) });
        await store.saveCallCard({ teamId, channelId: 'C1', messageTs: '1.1', phoneCallId: 'P1', extension: '0003*210', updatedAt: now });
        await store.addWatch({ teamId, channelId: 'C1', extension: '0003*210', createdBy: 'U1', createdAt: now });
        await store.saveBoardCard({ teamId, channelId: 'C1', phoneCallId: 'P1', extension: '0003*210', state: '{}', ended: false, updatedAt: now });
        await store.appendAuditEntry({ teamId, channelId: 'C1', phoneCallId: 'P1', seq: 1, at: now, text: 'held' });
      }
      const forgotten = await forgetWorkspace(opened.sql, 'T1');
      expect(forgotten).toEqual({ linked_accounts: 1, oauth_states: 1, call_cards: 1, audit_entries: 1, board_cards: 1, watches: 1 });
      expect(await store.getLinkedAccount('T1', 'U1')).toBeUndefined();
      expect(await store.consumeOAuthState('s-T1')).toBeUndefined();
      expect((await store.findCallCards('P1')).map((c) => c.teamId)).toEqual(['T2']);
      expect((await store.listWatches()).map((w) => w.teamId)).toEqual(['T2']);
      expect((await store.listLiveBoardCards()).map((c) => c.teamId)).toEqual(['T2']);
      expect(await store.listAuditEntries('T1', 'C1', 'P1')).toEqual([]);
      expect(await store.listAuditEntries('T2', 'C1', 'P1')).toHaveLength(1);
      expect((await store.getLinkedAccount('T2', 'U1'))?.accessToken).toBe('a');
    });
  });
}
