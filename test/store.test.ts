/**
 * The store as a whole, on every backend: its lifecycle (migrations once, close, ping), what is
 * particular to SQLite and to PostgreSQL, and openStore choosing between them. What each focused
 * store promises is in its own contract suite (test/store.<store>.test.ts).
 *
 * PostgreSQL: see test/helpers/pg.ts; each test runs in a fresh random schema dropped afterwards.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, SQLITE_FILE_NAME } from '../src/store/index.js';
import { PostgresStore } from '../src/store/postgres.js';
import { SqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/types.js';
import { freshSchema, pgAdmin, pgUrl } from './helpers/pg.js';
import { forEachBackend, type StoreHarness } from './helpers/store-backends.js';
import { account, cipherA } from './helpers/store-records.js';

forEachBackend('Store lifecycle', (backend) => {
  let h: StoreHarness;
  let store: Store;
  beforeEach(async () => {
    h = await backend.createHarness();
    store = await h.open(cipherA);
  });
  afterEach(() => h.dispose());

  it('persists across close and reopen, migrating only once', async () => {
    await store.saveLinkedAccount(account());
    await store.addWatch({ teamId: 'T1', channelId: 'C1', extension: 'e', createdBy: 'U1', createdAt: new Date(1) });
    await store.close();
    const again = await h.open(cipherA);
    expect(await again.getLinkedAccount('T1', 'U1')).toStrictEqual(account());
    expect(await again.listWatchesForExtension('e')).toHaveLength(1);
    await again.close();
    await h.open(cipherA);
    const versions = (await h.rawRows('schema_version')).map((r) => Number(r.version));
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });

  it('refuses a database with a newer schema version', async () => {
    await h.rawExec(`INSERT INTO schema_version (version, applied_at) VALUES (999, 'future')`);
    await expect(h.open(cipherA)).rejects.toThrow(/schema version 999.*newer/);
  });

  it('closes idempotently and rejects use after close', async () => {
    await store.close();
    await store.close();
    await expect(store.getLinkedAccount('T1', 'U1')).rejects.toThrow();
  });

  it('ping answers while the store can serve and rejects once it is closed', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });
});

const tempDirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'callops-store-'));
  tempDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SqliteStore specifics', () => {
  it('creates its directory, uses WAL and keeps data in the file', async () => {
    const dir = tempDir();
    const file = join(dir, 'a', 'b', 'store.sqlite');
    const s = new SqliteStore({ file, cipher: cipherA });
    await s.init();
    await s.addWatch({ teamId: 'T', channelId: 'C', extension: 'x', createdBy: 'U', createdAt: new Date(3) });
    expect(existsSync(file)).toBe(true);
    const db = new Database(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT COUNT(*) AS n FROM watches').get()).toEqual({ n: 1 });
    db.close();
    await s.close();
  });

  it('works in memory', async () => {
    const s = new SqliteStore({ file: ':memory:', cipher: cipherA });
    await s.saveLinkedAccount(account());
    expect(await s.getLinkedAccount('T1', 'U1')).toStrictEqual(account());
    await s.close();
  });
});

describe('openStore', () => {
  it('opens SQLite at <dataDir>/callops.sqlite without a database URL', async () => {
    const dataDir = join(tempDir(), 'data');
    for (const databaseUrl of [undefined, '', '  ']) {
      const s = await openStore({ databaseUrl, dataDir, cipher: cipherA });
      expect(s).toBeInstanceOf(SqliteStore);
      await s.addWatch({ teamId: 'T', channelId: 'C', extension: 'x', createdBy: 'U', createdAt: new Date(3) });
      await s.close();
    }
    expect(existsSync(join(dataDir, SQLITE_FILE_NAME))).toBe(true);
    const s = await openStore({ dataDir, cipher: cipherA });
    expect(await s.listWatchesForExtension('x')).toHaveLength(1); // the same file each time
    await s.close();
  });

  it('fails at open when the database URL is unreachable', async () => {
    const dataDir = tempDir();
    await expect(openStore({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none', dataDir, cipher: cipherA })).rejects.toThrow(/ECONNREFUSED|connect/);
    expect(existsSync(join(dataDir, SQLITE_FILE_NAME))).toBe(false);
  });
});

describe.skipIf(!pgUrl)('PostgresStore specifics', () => {
  const url = pgUrl!;
  const schemas: string[] = [];
  afterEach(async () => {
    for (const s of schemas.splice(0)) await pgAdmin(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  });

  it('creates its schema and tables there, with timestamptz columns', async () => {
    const schema = freshSchema();
    schemas.push(schema);
    const s = new PostgresStore({ connectionString: url, cipher: cipherA, schema });
    await s.init();
    const rows = await pgAdmin(
      `SELECT table_name, data_type FROM information_schema.columns
       WHERE table_schema = $1 AND column_name IN ('expires_at', 'created_at') ORDER BY table_name, column_name`,
      [schema],
    );
    expect(rows).toEqual([
      { table_name: 'board_outbox', data_type: 'timestamp with time zone' },
      { table_name: 'linked_accounts', data_type: 'timestamp with time zone' },
      { table_name: 'oauth_states', data_type: 'timestamp with time zone' },
      { table_name: 'open_modals', data_type: 'timestamp with time zone' },
      { table_name: 'request_claims', data_type: 'timestamp with time zone' },
      { table_name: 'slack_calls', data_type: 'timestamp with time zone' },
      { table_name: 'slack_installations', data_type: 'timestamp with time zone' },
      { table_name: 'watches', data_type: 'timestamp with time zone' },
    ]);
    await s.close();
  });

  it('migrates safely when several instances start at once', async () => {
    const schema = freshSchema();
    schemas.push(schema);
    const stores = Array.from({ length: 4 }, () => new PostgresStore({ connectionString: url, cipher: cipherA, schema }));
    await Promise.all(stores.map((s) => s.init()));
    const rows = await pgAdmin(`SELECT version FROM "${schema}".schema_version ORDER BY version`);
    expect(rows).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
      { version: 4 },
      { version: 5 },
      { version: 6 },
      { version: 7 },
      { version: 8 },
      { version: 9 },
      { version: 10 },
      { version: 11 },
      { version: 12 },
      { version: 13 },
      { version: 14 },
    ]);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('rejects a schema name that is not a plain identifier', () => {
    expect(() => new PostgresStore({ connectionString: url, cipher: cipherA, schema: 'x"; DROP TABLE y; --' })).toThrow(/plain identifier/);
  });

  it('openStore chooses PostgreSQL when a database URL is given', async () => {
    const schema = freshSchema();
    schemas.push(schema);
    await pgAdmin(`CREATE SCHEMA "${schema}"`);
    const u = new URL(url);
    u.searchParams.set('options', `-c search_path=${schema}`);
    const dataDir = tempDir();
    const s = await openStore({ databaseUrl: u.toString(), dataDir, cipher: cipherA });
    expect(s).toBeInstanceOf(PostgresStore);
    await s.saveLinkedAccount(account());
    const rows = await pgAdmin(`SELECT voipnow_user_id FROM "${schema}".linked_accounts`);
    expect(rows).toEqual([{ voipnow_user_id: '12' }]);
    expect(existsSync(join(dataDir, SQLITE_FILE_NAME))).toBe(false);
    await s.close();
  });
});
