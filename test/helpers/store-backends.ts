/**
 * Every store backend, for the store contract suites: SQLite always, PostgreSQL through
 * helpers/pg.ts (skipped with a printed reason when no server answers, failed when
 * TEST_DATABASE_URL names one that does not). Each harness is one isolated database: a fresh
 * SQLite file, or a fresh PostgreSQL schema dropped afterwards.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, it } from 'vitest';
import type { TokenCipher } from '../../src/store/crypto.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { freshSchema, pgAdmin, pgRequired, pgUnavailable, pgUrl } from './pg.js';

export type Row = Record<string, unknown>;

/** One isolated database. */
export interface StoreHarness {
  /** Opens (and migrates) a store over this database: each call a new connection (pool) on it. Closed by dispose(). */
  open(cipher: TokenCipher): Promise<Store>;
  /** Reads a table directly, bypassing the store. */
  rawRows(table: string): Promise<Row[]>;
  /** Runs a statement directly (SQL valid in both dialects). */
  rawExec(sql: string): Promise<void>;
  dispose(): Promise<void>;
}

export interface StoreBackend {
  name: 'SQLite' | 'PostgreSQL';
  createHarness(): Promise<StoreHarness>;
}

export const sqliteBackend: StoreBackend = {
  name: 'SQLite',
  async createHarness() {
    const dir = mkdtempSync(join(tmpdir(), 'callops-store-'));
    const file = join(dir, 'not', 'yet', 'there', 'callops.sqlite'); // directory is created by the store
    const stores: SqliteStore[] = [];
    const withRaw = <T>(fn: (db: Database.Database) => T): T => {
      const db = new Database(file);
      try {
        return fn(db);
      } finally {
        db.close();
      }
    };
    return {
      async open(cipher) {
        const s = new SqliteStore({ file, cipher });
        stores.push(s);
        await s.init();
        return s;
      },
      rawRows: async (table) => withRaw((db) => db.prepare(`SELECT * FROM ${table}`).all() as Row[]),
      rawExec: async (sql) => withRaw((db) => void db.exec(sql)),
      async dispose() {
        for (const s of stores) await s.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export const postgresBackend: StoreBackend = {
  name: 'PostgreSQL',
  async createHarness() {
    const url = pgUrl;
    if (!url) throw new Error(`PostgreSQL is unreachable: ${pgUnavailable}`);
    const schema = freshSchema();
    const stores: PostgresStore[] = [];
    return {
      async open(cipher) {
        const s = new PostgresStore({ connectionString: url, cipher, schema, maxConnections: 4 });
        stores.push(s);
        await s.init();
        return s;
      },
      rawRows: (table) => pgAdmin<Row>(`SELECT * FROM "${schema}".${table}`),
      async rawExec(sql) {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`SET search_path TO "${schema}"`);
          await client.query(sql);
        } finally {
          await client.end();
        }
      },
      async dispose() {
        for (const s of stores) await s.close();
        await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      },
    };
  },
};

let warned = false;

/**
 * Runs `suite` once per backend, each in its own describe named `<title>: <backend>`. Without a
 * PostgreSQL server its run is skipped (and says so), unless TEST_DATABASE_URL asked for one.
 */
export function forEachBackend(title: string, suite: (backend: StoreBackend) => void): void {
  describe(`${title}: SQLite`, () => suite(sqliteBackend));
  if (pgUrl || pgRequired) {
    describe(`${title}: PostgreSQL`, () => {
      if (!pgUrl) it('connects to TEST_DATABASE_URL', () => Promise.reject(new Error(`TEST_DATABASE_URL is set but PostgreSQL is unreachable: ${pgUnavailable}`)));
      else suite(postgresBackend);
    });
    return;
  }
  if (!warned) console.warn(`[store tests] Skipping the PostgreSQL runs: no server reachable (${pgUnavailable})`);
  warned = true;
  describe.skip(`${title}: PostgreSQL (skipped: unreachable: ${pgUnavailable})`, () => {
    it('needs a PostgreSQL server', () => undefined);
  });
}
