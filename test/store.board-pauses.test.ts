/**
 * Paused board channels in the store, on SQLite and PostgreSQL: a pause is kept
 * once (the first one wins), survives reopening the database, and goes on resume.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenCipher } from '../src/store/crypto.js';
import { PostgresStore } from '../src/store/postgres.js';
import { SqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/types.js';
import { freshSchema, pgAdmin, pgRequired, pgUnavailable, pgUrl } from './helpers/pg.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cipher = TokenCipher.fromKey(randomBytes(32).toString('hex'));
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Opens the same database twice (a restart); each backend isolates its test. */
const backends: Array<{ name: string; skip: boolean; database(): () => Store }> = [
  {
    name: 'SQLite',
    skip: false,
    database() {
      const dir = mkdtempSync(join(tmpdir(), 'callops-pauses-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      return () => new SqliteStore({ file: join(dir, 'callops.sqlite'), cipher });
    },
  },
  {
    name: 'PostgreSQL',
    skip: !pgUrl && !pgRequired,
    database() {
      const schema = freshSchema();
      cleanups.push(async () => void (await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)));
      return () => new PostgresStore({ connectionString: pgUrl!, cipher, schema });
    },
  },
];

if (!pgUrl && !pgRequired) console.warn(`PostgreSQL board pause tests skipped: ${pgUnavailable}`);

for (const b of backends) {
  describe.skipIf(b.skip)(`board channel pauses (${b.name})`, () => {
    it('keeps the first pause of a channel, across a reopen, until resumed', async () => {
      const open = b.database();
      const store = open();
      const first = { teamId: 'T1', channelId: 'C-gone', pausedAt: new Date('2024-03-01T10:00:00.123Z'), reason: 'not_in_channel' };
      expect(await store.pauseBoardChannel(first)).toBe(true);
      expect(await store.pauseBoardChannel({ ...first, pausedAt: new Date('2024-03-01T11:00:00.000Z'), reason: 'is_archived' })).toBe(false);
      expect(await store.pauseBoardChannel({ ...first, channelId: 'C-archived', pausedAt: new Date('2024-03-01T12:00:00.000Z'), reason: 'is_archived' })).toBe(true);
      await store.close();

      const again = open();
      cleanups.push(() => again.close());
      expect(await again.listBoardChannelPauses()).toStrictEqual([first, { teamId: 'T1', channelId: 'C-archived', pausedAt: new Date('2024-03-01T12:00:00.000Z'), reason: 'is_archived' }]);
      expect(await again.resumeBoardChannel('T1', 'C-gone')).toBe(true);
      expect(await again.resumeBoardChannel('T1', 'C-gone')).toBe(false);
      expect((await again.listBoardChannelPauses()).map((p) => p.channelId)).toEqual(['C-archived']);
    });
  });
}
