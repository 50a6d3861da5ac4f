import { join } from 'node:path';
import type { TokenCipher } from './crypto.js';
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { Store, StoreLog } from './types.js';

export * from './types.js';
export type * from './outbox.js';
export { TokenCipher, TokenDecryptionError, TokenKeyError, loadOrCreateKey, KEY_FILE_NAME } from './crypto.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite.js';
export { PostgresStore, type PostgresStoreOptions } from './postgres.js';
export { SqlInstallationStore, type InstallationStore, type InstallationKey, type SlackInstallation } from './installations.js';
export { forgetWorkspace, type ForgottenRows } from './workspace-data.js';
export { SqlVoipnowTenantStore, type VoipnowTenant, type VoipnowTenantStore } from './voipnow-tenants.js';
export type { SqlRunner } from './sql-runner.js';

/** The SQL connection of a store opened by openStore, for the focused stores kept beside it. */
export function sqlRunnerOf(store: Store): import('./sql-runner.js').SqlRunner {
  if (store instanceof SqliteStore || store instanceof PostgresStore) return store.sqlRunner();
  throw new Error('this store has no SQL connection for installations');
}

export const SQLITE_FILE_NAME = 'callops.sqlite';

export interface OpenStoreOptions {
  /** When set (non-empty), PostgreSQL is used; otherwise SQLite at `<dataDir>/callops.sqlite`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  cipher: TokenCipher;
  /** Receives PostgreSQL pool errors. */
  log?: StoreLog;
  /** PostgreSQL schema of the tables (DATABASE_SCHEMA); default the connection's search_path. */
  schema?: string | undefined;
  /** PostgreSQL pool size (DATABASE_POOL_MAX). */
  poolMax?: number | undefined;
}

/**
 * Opens the store and applies migrations, so a bad DATABASE_URL or an unwritable data dir fails
 * at startup rather than on the first Slack request.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const url = options.databaseUrl?.trim();
  const store = url
    ? new PostgresStore({
        connectionString: url,
        cipher: options.cipher,
        ...(options.log ? { log: options.log } : {}),
        ...(options.schema ? { schema: options.schema } : {}),
        ...(options.poolMax ? { maxConnections: options.poolMax } : {}),
      })
    : new SqliteStore({ file: join(options.dataDir, SQLITE_FILE_NAME), cipher: options.cipher });
  try {
    await store.init();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}
