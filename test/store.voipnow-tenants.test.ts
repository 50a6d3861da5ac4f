/**
 * Each workspace's VoipNow server: one contract, run on SQLite and on PostgreSQL (skipped,
 * saying why, when no PostgreSQL answers).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresStore, SqliteStore, TokenCipher, type Store } from '../src/store/index.js';
import type { SqlRunner } from '../src/store/sql-runner.js';
import { SqlVoipnowTenantStore, type VoipnowTenant } from '../src/store/voipnow-tenants.js';
import { freshSchema, pgAdmin, pgRequired, pgUnavailable, pgUrl } from './helpers/pg.js';

type Opened = { sql: SqlRunner; close(): Promise<void> };

async function openSqlite(cipher: TokenCipher): Promise<Opened> {
  const store = new SqliteStore({ file: ':memory:', cipher });
  return { sql: store.sqlRunner(), close: () => store.close() };
}

async function openPostgres(cipher: TokenCipher): Promise<Opened> {
  const schema = freshSchema('callops_tenants');
  const store: Store & { sqlRunner(): SqlRunner } = new PostgresStore({ connectionString: pgUrl!, cipher, schema });
  return {
    sql: store.sqlRunner(),
    close: async () => {
      await store.close();
      await pgAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

const backends: [string, (c: TokenCipher) => Promise<Opened>][] = [['SQLite', openSqlite]];
if (pgUrl || pgRequired) backends.push(['PostgreSQL', openPostgres]);
else describe.skip(`VoipNow tenants on PostgreSQL (skipped: ${pgUnavailable})`, () => it('needs PostgreSQL', () => undefined));

const tenant = (over: Partial<VoipnowTenant> = {}): VoipnowTenant => ({
  teamId: 'T1',
  url: 'https://pbx-one.example.com',
  clientId: 'app-one',
  clientSecret: 'secret-one',
  setBy: 'UADMIN',
  setAt: new Date('2026-01-02T03:04:05.678Z'),
  ...over,
});

for (const [name, open] of backends) {
  describe(`VoipNow tenant store: ${name}`, () => {
    const cipher = TokenCipher.fromKey(randomBytes(32).toString('hex'));
    let opened: Opened;
    let tenants: SqlVoipnowTenantStore;
    beforeEach(async () => {
      opened = await open(cipher);
      tenants = new SqlVoipnowTenantStore(opened.sql, cipher);
    });
    afterEach(async () => opened.close());

    it('keeps each workspace its own server, the secret encrypted at rest', async () => {
      await tenants.save(tenant({ caPem: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' }));
      await tenants.save(tenant({ teamId: 'T2', url: 'https://pbx-two.example.com', clientSecret: 'secret-two' }));
      expect(await tenants.find('T1')).toEqual(tenant({ caPem: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' }));
      expect((await tenants.find('T2'))?.url).toBe('https://pbx-two.example.com');
      expect(await tenants.find('T3')).toBeUndefined();
      const rows = (await opened.sql.query('SELECT client_secret FROM voipnow_tenants', [])).rows;
      expect(JSON.stringify(rows)).not.toMatch(/secret-one|secret-two/);
    });

    it('replacing, marking as working and deleting touch only that workspace', async () => {
      await tenants.save(tenant());
      await tenants.save(tenant({ teamId: 'T2' }));
      await tenants.save(tenant({ url: 'https://pbx-new.example.com', setBy: 'UOTHER' }));
      expect(await tenants.find('T1')).toMatchObject({ url: 'https://pbx-new.example.com', setBy: 'UOTHER' });
      const at = new Date('2026-01-02T04:00:00.123Z');
      expect(await tenants.markOk('T1', at)).toBe(true);
      expect(await tenants.markOk('T9', at)).toBe(false);
      expect((await tenants.find('T1'))?.lastOkAt).toEqual(at);
      expect((await tenants.find('T2'))?.lastOkAt).toBeUndefined();
      expect(await tenants.delete('T1')).toBe(true);
      expect(await tenants.find('T1')).toBeUndefined();
      expect(await tenants.find('T2')).toBeDefined();
    });
  });
}
