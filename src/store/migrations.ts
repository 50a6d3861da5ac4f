/**
 * The migration runner shared by the SQL stores: applies pending migrations in one locked
 * transaction and refuses a database newer than this build.
 */
import type { Row } from './rows.js';

export interface Migration {
  version: number;
  description: string;
  statements: string[];
}

/** Runs one statement inside the migration transaction. */
export type MigrationExec = (sql: string) => Promise<Row[]>;

/**
 * Applies pending migrations. `withLock` must run `fn` inside a single transaction that holds an
 * exclusive lock against other processes migrating the same database, committing if `fn` resolves
 * and rolling back if it rejects. Returns the resulting schema version.
 */
export async function runMigrations(engine: string, migrations: readonly Migration[], withLock: (fn: (exec: MigrationExec) => Promise<number>) => Promise<number>): Promise<number> {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  return withLock(async (exec) => {
    await exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const [row] = await exec('SELECT MAX(version) AS version FROM schema_version');
    const current = Number(row?.version ?? 0);
    if (current > latest) {
      throw new Error(`The ${engine} database is at schema version ${current}, newer than this build of callops ` + `supports (${latest}). Refusing to use it; upgrade callops.`);
    }
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      for (const sql of m.statements) await exec(sql);
      // Both values are generated here (integer, ISO timestamp), never user input.
      await exec(`INSERT INTO schema_version (version, applied_at) VALUES (${Math.trunc(m.version)}, '${new Date().toISOString()}')`);
    }
    return Math.max(current, latest);
  });
}
