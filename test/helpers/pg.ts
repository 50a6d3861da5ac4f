/**
 * The machine's PostgreSQL for tests that need one: TEST_DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/test. Tests isolate themselves in a fresh random schema.
 * `pgUrl` is undefined (with `pgUnavailable` saying why) when no server answers.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const candidates = process.env.TEST_DATABASE_URL ? [process.env.TEST_DATABASE_URL] : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];

async function probe(): Promise<{ url?: string; reason: string }> {
  const failures: string[] = [];
  for (const url of candidates) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return { url, reason: '' };
    } catch (err) {
      failures.push((err as Error).message);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return { reason: failures.join('; ') };
}

const found = await probe();
export const pgUrl: string | undefined = found.url;
export const pgUnavailable = found.reason;
/** An explicit TEST_DATABASE_URL that does not answer is a failure, not a skip. */
export const pgRequired = Boolean(process.env.TEST_DATABASE_URL);

export function freshSchema(prefix = 'callops_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Runs one admin statement on its own short-lived connection. */
export async function pgAdmin<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
