/**
 * Rotating the token encryption key, on SQLite and PostgreSQL: tokens written under key A stay
 * readable once the ring is B,A; re-encryption rewrites every one under B (also tokens written
 * before ciphertexts carried a key id) and says how many; with A dropped, everything still opens.
 * The command itself (`npm run keys -- reencrypt`) runs once as a process on SQLite.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenCipher, TokenDecryptionError } from '../src/store/crypto.js';
import { PostgresStore } from '../src/store/postgres.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { reencryptTokens } from '../src/store/reencrypt.js';
import { tokenContext } from '../src/store/token-columns.js';
import type { LinkedAccount, Store } from '../src/store/types.js';
import { freshSchema, pgAdmin, pgRequired, pgUnavailable, pgUrl } from './helpers/pg.js';

const KEY_A = randomBytes(32).toString('hex');
const KEY_B = randomBytes(32).toString('base64');

const account = (slackUserId: string, refresh: boolean): LinkedAccount => ({
  teamId: 'T1',
  slackUserId,
  voipnowUserId: `vn-${slackUserId}`,
  accessToken: `access-of-${slackUserId}`,
  ...(refresh && { refreshToken: `refresh-of-${slackUserId}` }),
  expiresAt: new Date('2031-01-01T00:00:00.000Z'),
  linkedAt: new Date('2030-01-01T00:00:00.000Z'),
  updatedAt: new Date('2030-01-01T00:00:00.000Z'),
});

/** A token as the format before key ids wrote it: `v1:<iv>:<tag>:<ciphertext>`. */
function legacyCiphertext(key: string, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', Buffer.from(key, 'hex'), iv, { authTagLength: 16 });
  c.setAAD(Buffer.from(context, 'utf8'));
  const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), ct.toString('base64')].join(':');
}

interface Backend {
  open(cipher: TokenCipher): Promise<Store>;
  /** The stored token columns, bypassing the store. */
  tokens(): Promise<string[]>;
  /** Writes a raw access_token ciphertext, bypassing the store. */
  setAccess(slackUserId: string, ciphertext: string): Promise<void>;
  dispose(): Promise<void>;
}

function sqlite(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'callops-rotation-'));
  const file = join(dir, 'callops.sqlite');
  const raw = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(file);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  return {
    open: async (cipher) => {
      const s = new SqliteStore({ file, cipher });
      await s.init();
      return s;
    },
    tokens: async () =>
      raw((db) => db.prepare('SELECT access_token, refresh_token FROM linked_accounts').all() as Record<string, string | null>[])
        .flatMap((r) => [r.access_token, r.refresh_token])
        .filter((t): t is string => t !== null),
    setAccess: async (user, ct) => void raw((db) => db.prepare('UPDATE linked_accounts SET access_token = ? WHERE slack_user_id = ?').run(ct, user)),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgres(): Backend {
  const schema = freshSchema('callops_rotation');
  return {
    open: async (cipher) => {
      const s = new PostgresStore({ connectionString: pgUrl!, cipher, schema, maxConnections: 2 });
      await s.init();
      return s;
    },
    tokens: async () =>
      (await pgAdmin<Record<string, string | null>>(`SELECT access_token, refresh_token FROM "${schema}".linked_accounts`))
        .flatMap((r) => [r.access_token, r.refresh_token])
        .filter((t): t is string => t !== null),
    setAccess: async (user, ct) => void (await pgAdmin(`UPDATE "${schema}".linked_accounts SET access_token = $1 WHERE slack_user_id = $2`, [ct, user])),
    dispose: async () => void (await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)),
  };
}

if (!pgUrl && !pgRequired) console.warn(`store.key-rotation: PostgreSQL unavailable (${pgUnavailable}); its suite is skipped`);

for (const [name, make, skip] of [
  ['SQLite', sqlite, false],
  ['PostgreSQL', postgres, !pgUrl && !pgRequired],
] as const) {
  describe.skipIf(skip)(`key rotation: ${name}`, () => {
    let backend: Backend | undefined;
    const opened: Store[] = [];
    const open = async (cipher: TokenCipher) => {
      const s = await backend!.open(cipher);
      opened.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await backend?.dispose();
      backend = undefined;
    });

    it('tokens under A open with B,A; re-encryption rewrites them all under B and counts them; without A they still open', async () => {
      backend = make();
      const underA = await open(TokenCipher.fromKey(KEY_A));
      await underA.saveLinkedAccount(account('U1', true));
      await underA.saveLinkedAccount(account('U2', false));
      await underA.saveLinkedAccount(account('U3', true));
      // U3's access token as written before ciphertexts carried a key id.
      await backend.setAccess('U3', legacyCiphertext(KEY_A, 'access-of-U3', tokenContext('T1', 'U3', 'access_token')));
      expect((await backend.tokens()).every((t) => t.startsWith('v2:default:') || t.startsWith('v1:'))).toBe(true);

      const rotated = await open(
        TokenCipher.fromKeys([
          { id: '2026-12', key: KEY_B },
          { id: 'default', key: KEY_A },
        ]),
      );
      for (const u of ['U1', 'U2', 'U3']) expect((await rotated.getLinkedAccount('T1', u))?.accessToken).toBe(`access-of-${u}`);
      // Written after the rotation: already under the new key.
      await rotated.saveLinkedAccount(account('U4', true));

      expect(await rotated.reencryptTokens()).toEqual({ accounts: 4, rewritten: 3, current: 1, changedMeanwhile: 0, keyId: '2026-12' });
      const stored = await backend.tokens();
      expect(stored).toHaveLength(7);
      for (const t of stored) expect(t).toMatch(/^v2:2026-12:/);
      expect(await rotated.reencryptTokens()).toMatchObject({ accounts: 4, rewritten: 0, current: 4 });

      const onlyB = await open(TokenCipher.fromKeys([{ id: '2026-12', key: KEY_B }]));
      for (const u of ['U1', 'U2', 'U3', 'U4']) {
        const a = await onlyB.getLinkedAccount('T1', u);
        expect(a?.accessToken).toBe(`access-of-${u}`);
        expect(a?.refreshToken).toBe(u === 'U2' ? undefined : `refresh-of-${u}`);
      }
      // And the old key alone opens nothing any more: the rewrite really happened.
      const onlyA = await open(TokenCipher.fromKey(KEY_A));
      await expect(onlyA.getLinkedAccount('T1', 'U1')).rejects.toBeInstanceOf(TokenDecryptionError);
    });

    it('a token no key of the ring opens stops the re-encryption with a message naming the account and the key id, not the token', async () => {
      backend = make();
      await (await open(TokenCipher.fromKeys([{ id: 'lost', key: KEY_A }]))).saveLinkedAccount(account('U1', true));
      const other = await open(TokenCipher.fromKeys([{ id: 'new', key: KEY_B }]));
      const err = await other.reencryptTokens().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TokenDecryptionError);
      expect(String(err)).toContain('user U1');
      expect(String(err)).toContain('It was stored under the key "lost", which TOKEN_ENCRYPTION_KEYS does not hold.');
      expect(String(err)).not.toContain('access-of-U1');
    });
  });
}

describe('re-encryption beside a live replica', () => {
  /** The SQLite store, with its own statement runner reachable so a refresh can land between the read and the rewrite. */
  class ProbedStore extends SqliteStore {
    run = (sql: string, params: readonly (string | null)[]) => this.query(sql, params);
    get sql() {
      return this.statements;
    }
  }

  it('leaves a row a refresh rewrote meanwhile as the refresh wrote it, and counts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callops-rotation-race-'));
    const file = join(dir, 'callops.sqlite');
    const ring = TokenCipher.fromKeys([
      { id: 'new', key: KEY_B },
      { id: 'default', key: KEY_A },
    ]);
    const store = new ProbedStore({ file, cipher: ring });
    try {
      const old = new SqliteStore({ file, cipher: TokenCipher.fromKey(KEY_A) });
      await old.saveLinkedAccount(account('U1', true));
      await old.saveLinkedAccount(account('U2', true));
      await old.close();
      await store.init();
      let refreshed = false;
      const counts = await reencryptTokens(
        async (sql, params) => {
          // Just before U1's rewrite, a replica refreshes U1's tokens (under the new key).
          if (sql === store.sql.rewriteLinkedAccountTokens && params[3] === 'U1' && !refreshed) {
            refreshed = true;
            expect(
              await store.replaceLinkedAccountTokens(
                'T1',
                'U1',
                'refresh-of-U1',
                { accessToken: 'fresh-access', refreshToken: 'fresh-refresh', expiresAt: new Date('2032-01-01T00:00:00Z') },
                new Date(),
              ),
            ).toBe(true);
          }
          return store.run(sql, params);
        },
        store.sql,
        ring,
      );
      expect(counts).toEqual({ accounts: 2, rewritten: 1, current: 0, changedMeanwhile: 1, keyId: 'new' });
      // The refresh's tokens survived: re-encryption never writes back what it read.
      expect(await store.getLinkedAccount('T1', 'U1')).toMatchObject({ accessToken: 'fresh-access', refreshToken: 'fresh-refresh' });
      expect((await store.getLinkedAccount('T1', 'U2'))?.accessToken).toBe('access-of-U2');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run keys -- reencrypt', () => {
  const run = (args: string[], env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/keys.ts', ...args], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 60_000 });

  it('rewrites the stored tokens of the configured store under the first key and says how many; a wrong command is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callops-keys-'));
    try {
      const store = new SqliteStore({ file: join(dir, 'callops.sqlite'), cipher: TokenCipher.fromKey(KEY_A) });
      await store.saveLinkedAccount(account('U1', true));
      await store.saveLinkedAccount(account('U2', true));
      await store.close();
      const env = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', DATA_DIR: dir, TOKEN_ENCRYPTION_KEYS: `b:${KEY_B},default:${KEY_A}` };

      const done = run(['reencrypt'], env);
      expect(done.stderr).toBe('');
      expect(done.status).toBe(0);
      expect(done.stdout).toMatch(/^Re-encrypted the tokens of 2 of 2 linked accounts under the key "b" \(0 already were; 0 changed meanwhile/);
      expect(done.stdout + done.stderr).not.toContain(KEY_B);

      const after = new SqliteStore({ file: join(dir, 'callops.sqlite'), cipher: TokenCipher.fromKeys([{ id: 'b', key: KEY_B }]) });
      expect((await after.getLinkedAccount('T1', 'U2'))?.refreshToken).toBe('refresh-of-U2');
      await after.close();

      const wrong = run(['rotate'], env);
      expect(wrong.status).toBe(2);
      expect(wrong.stderr).toContain('usage: npm run keys -- reencrypt');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
