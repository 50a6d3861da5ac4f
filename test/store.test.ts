/**
 * One contract suite for every Store implementation, plus implementation-specific checks.
 *
 * PostgreSQL: TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test, else the same as
 * user root. Each test runs in a fresh random schema that is dropped afterwards. If no server is
 * reachable the PostgreSQL suites are skipped with a console.warn naming the URL(s) and errors;
 * if TEST_DATABASE_URL is set explicitly and unreachable, the suite fails instead of skipping.
 */
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenCipher, TokenDecryptionError } from '../src/store/crypto.js';
import { openStore, SQLITE_FILE_NAME } from '../src/store/index.js';
import { PostgresStore } from '../src/store/postgres.js';
import { SqliteStore } from '../src/store/sqlite.js';
import type { AuditEntry, BoardCard, CallCard, LinkedAccount, OAuthState, Store, Watch } from '../src/store/types.js';

type Row = Record<string, unknown>;

/** One isolated database per test. */
interface Harness {
  /** Opens (and migrates) a store over this test's database. Closed by dispose(). */
  open(cipher: TokenCipher): Promise<Store>;
  /** Reads a table directly, bypassing the store. */
  rawRows(table: string): Promise<Row[]>;
  /** Runs a statement directly (SQL valid in both dialects). */
  rawExec(sql: string): Promise<void>;
  dispose(): Promise<void>;
}

interface Backend {
  name: string;
  createHarness(): Promise<Harness>;
}

const cipherA = TokenCipher.fromKey(TokenCipher.generateKey());
const cipherB = TokenCipher.fromKey(TokenCipher.generateKey());

const ACCESS = 'vn-access-2f8c1e0b9d7a6f5e4d3c2b1a';
const REFRESH = 'vn-refresh-9a8b7c6d5e4f3a2b1c0d';

function account(overrides: Partial<LinkedAccount> = {}): LinkedAccount {
  return {
    teamId: 'T1',
    slackUserId: 'U1',
    voipnowUserId: '12',
    voipnowUserName: 'Alice Agent',
    extension: '0003*210',
    accessToken: ACCESS,
    refreshToken: REFRESH,
    // Odd milliseconds everywhere to prove exact round trips.
    expiresAt: new Date('2031-02-03T04:05:06.789Z'),
    linkedAt: new Date('1999-12-31T23:59:59.999Z'),
    updatedAt: new Date('2024-06-30T12:00:00.001Z'),
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------

function contract(backend: Backend) {
  describe(`Store contract: ${backend.name}`, () => {
    let h: Harness;
    let store: Store;
    beforeEach(async () => {
      h = await backend.createHarness();
      store = await h.open(cipherA);
    });
    afterEach(async () => {
      await h.dispose();
    });

    describe('linked accounts', () => {
      it('round-trips every field exactly, dates to the millisecond', async () => {
        const a = account();
        await store.saveLinkedAccount(a);
        const got = await store.getLinkedAccount('T1', 'U1');
        expect(got).toStrictEqual(a);
        expect(got!.expiresAt.getTime()).toBe(a.expiresAt.getTime());
        expect(got!.linkedAt.getTime()).toBe(a.linkedAt.getTime());
        expect(got!.updatedAt.getTime()).toBe(a.updatedAt.getTime());
      });

      it('leaves absent optional fields absent', async () => {
        const minimal: LinkedAccount = {
          teamId: 'T1',
          slackUserId: 'U2',
          voipnowUserId: '7',
          accessToken: 'a',
          expiresAt: new Date(1_700_000_000_123),
          linkedAt: new Date(1_700_000_000_456),
          updatedAt: new Date(1_700_000_000_789),
        };
        await store.saveLinkedAccount(minimal);
        const got = await store.getLinkedAccount('T1', 'U2');
        expect(got).toStrictEqual(minimal);
        expect(Object.keys(got!)).not.toContain('refreshToken');
        expect(Object.keys(got!)).not.toContain('extension');
      });

      it('returns undefined for unknown accounts and keys accounts by team and user', async () => {
        await store.saveLinkedAccount(account());
        expect(await store.getLinkedAccount('T1', 'nobody')).toBeUndefined();
        expect(await store.getLinkedAccount('T2', 'U1')).toBeUndefined();
        await store.saveLinkedAccount(account({ teamId: 'T2', voipnowUserId: '99', accessToken: 'other' }));
        expect((await store.getLinkedAccount('T1', 'U1'))!.voipnowUserId).toBe('12');
        expect((await store.getLinkedAccount('T2', 'U1'))!.accessToken).toBe('other');
      });

      it('upserts: a second save replaces the fields, including clearing optionals', async () => {
        await store.saveLinkedAccount(account());
        const updated = account({
          voipnowUserName: undefined,
          extension: '0003*211',
          accessToken: 'vn-access-new',
          refreshToken: undefined,
          expiresAt: new Date('2032-01-01T00:00:00.500Z'),
          updatedAt: new Date('2025-01-01T00:00:00.250Z'),
        });
        delete updated.voipnowUserName;
        delete updated.refreshToken;
        await store.saveLinkedAccount(updated);
        expect(await store.getLinkedAccount('T1', 'U1')).toStrictEqual(updated);
        const rows = await h.rawRows('linked_accounts');
        expect(rows).toHaveLength(1);
        expect(rows[0]!.refresh_token).toBeNull();
      });

      it('deletes, reporting whether something was deleted', async () => {
        await store.saveLinkedAccount(account());
        await store.saveLinkedAccount(account({ slackUserId: 'U2' }));
        expect(await store.deleteLinkedAccount('T1', 'U1')).toBe(true);
        expect(await store.getLinkedAccount('T1', 'U1')).toBeUndefined();
        expect(await store.deleteLinkedAccount('T1', 'U1')).toBe(false);
        expect(await store.getLinkedAccount('T1', 'U2')).toBeDefined();
      });

      it('stores tokens encrypted: the raw row holds no plaintext token', async () => {
        await store.saveLinkedAccount(account());
        const rows = await h.rawRows('linked_accounts');
        expect(rows).toHaveLength(1);
        const row = rows[0]!;
        const everything = JSON.stringify(Object.values(row).map((v) => (v instanceof Date ? v.toISOString() : String(v))));
        expect(everything).not.toContain(ACCESS);
        expect(everything).not.toContain(REFRESH);
        expect(everything).not.toContain('2f8c1e0b'); // not even a fragment
        expect(String(row.access_token)).toMatch(/^v1:[^:]+:[^:]+:[^:]+$/);
        expect(String(row.refresh_token)).toMatch(/^v1:[^:]+:[^:]+:[^:]+$/);
        // Non-secret columns are stored as-is (sanity check that we read the right row).
        expect(row.voipnow_user_id).toBe('12');
        expect(row.extension).toBe('0003*210');
      });

      it('fails clearly when opened with another key, without leaking the token', async () => {
        await store.saveLinkedAccount(account());
        await store.addWatch({ teamId: 'T1', channelId: 'C1', extension: '0003*210', createdBy: 'U1', createdAt: new Date(5) });
        const wrong = await h.open(cipherB);
        const err = await wrong.getLinkedAccount('T1', 'U1').then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(TokenDecryptionError);
        const msg = (err as Error).message;
        expect(msg).toMatch(/TOKEN_ENCRYPTION_KEY/);
        expect(msg).toContain('T1');
        expect(msg).not.toContain(ACCESS);
        // Data without tokens is still readable; the right key still works.
        expect(await wrong.listWatchesForChannel('T1', 'C1')).toHaveLength(1);
        expect((await store.getLinkedAccount('T1', 'U1'))!.accessToken).toBe(ACCESS);
      });

      it('rejects a token ciphertext moved to another user row', async () => {
        await store.saveLinkedAccount(account({ slackUserId: 'U1', accessToken: 'token-of-U1' }));
        await store.saveLinkedAccount(account({ slackUserId: 'U2', accessToken: 'token-of-U2' }));
        await h.rawExec(
          `UPDATE linked_accounts SET access_token =
             (SELECT access_token FROM linked_accounts WHERE slack_user_id = 'U1')
           WHERE slack_user_id = 'U2'`,
        );
        await expect(store.getLinkedAccount('T1', 'U2')).rejects.toThrow(TokenDecryptionError);
        expect((await store.getLinkedAccount('T1', 'U1'))!.accessToken).toBe('token-of-U1');
      });

      it('rejects invalid dates instead of storing garbage', async () => {
        await expect(store.saveLinkedAccount(account({ expiresAt: new Date(NaN) }))).rejects.toThrow(/expiresAt/);
        expect(await h.rawRows('linked_accounts')).toHaveLength(0);
      });
    });

    describe('OAuth states', () => {
      const future = () => new Date(Date.now() + 10 * 60_000);

      it('round-trips and is single use', async () => {
        const s: OAuthState = {
          state: 'st-1',
          teamId: 'T1',
          slackUserId: 'U1',
          channelId: 'C1',
          responseUrl: 'https://hooks.slack.com/actions/T1/1/abc',
          extension: '0003*210',
          expiresAt: new Date(Math.floor(Date.now() / 1000) * 1000 + 600_123),
        };
        await store.createOAuthState(s);
        expect(await store.consumeOAuthState('st-1')).toStrictEqual(s);
        expect(await store.consumeOAuthState('st-1')).toBeUndefined();
        expect(await h.rawRows('oauth_states')).toHaveLength(0);
      });

      it('leaves absent optionals absent', async () => {
        const s: OAuthState = { state: 'st-2', teamId: 'T1', slackUserId: 'U1', expiresAt: future() };
        await store.createOAuthState(s);
        expect(await store.consumeOAuthState('st-2')).toStrictEqual(s);
      });

      it('returns undefined for unknown states', async () => {
        expect(await store.consumeOAuthState('nope')).toBeUndefined();
      });

      it('treats expired states as absent and deletes them', async () => {
        const expiresAt = future();
        await store.createOAuthState({ state: 'st-3', teamId: 'T1', slackUserId: 'U1', expiresAt });
        await store.createOAuthState({ state: 'st-4', teamId: 'T1', slackUserId: 'U1', expiresAt });
        expect(await store.consumeOAuthState('st-3', new Date(expiresAt.getTime() + 1))).toBeUndefined();
        // Deleted: not even an earlier clock gets it back.
        expect(await store.consumeOAuthState('st-3', new Date(expiresAt.getTime() - 60_000))).toBeUndefined();
        // Expiry is inclusive: at exactly expiresAt the state is no longer valid.
        expect(await store.consumeOAuthState('st-4', expiresAt)).toBeUndefined();
        expect(await h.rawRows('oauth_states')).toHaveLength(0);
      });

      it('accepts a state just before expiry', async () => {
        const expiresAt = future();
        await store.createOAuthState({ state: 'st-5', teamId: 'T1', slackUserId: 'U1', expiresAt });
        const got = await store.consumeOAuthState('st-5', new Date(expiresAt.getTime() - 1));
        expect(got?.state).toBe('st-5');
      });

      it('gives a state to exactly one of several concurrent consumers', async () => {
        await store.createOAuthState({ state: 'st-race', teamId: 'T1', slackUserId: 'U1', expiresAt: future() });
        const other = await h.open(cipherA); // a second connection/pool on the same database
        const results = await Promise.all([store.consumeOAuthState('st-race'), other.consumeOAuthState('st-race'), store.consumeOAuthState('st-race'), other.consumeOAuthState('st-race')]);
        expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      });

      it('rejects a duplicate state value', async () => {
        await store.createOAuthState({ state: 'dup', teamId: 'T1', slackUserId: 'U1', expiresAt: future() });
        await expect(store.createOAuthState({ state: 'dup', teamId: 'T2', slackUserId: 'U9', expiresAt: future() })).rejects.toThrow();
        expect((await store.consumeOAuthState('dup'))?.teamId).toBe('T1');
      });

      it('purges already-expired states when a new one is created', async () => {
        await store.createOAuthState({ state: 'old', teamId: 'T1', slackUserId: 'U1', expiresAt: new Date(Date.now() - 1000) });
        await store.createOAuthState({ state: 'new', teamId: 'T1', slackUserId: 'U1', expiresAt: future() });
        const states = (await h.rawRows('oauth_states')).map((r) => r.state);
        // Stored hashed (see 'keeps only a hash of the state').
        expect(states).toEqual([createHash('sha256').update('new').digest('hex')]);
      });

      it('keeps only a SHA-256 hash of the state: the database never holds a usable one', async () => {
        const state = 'st-secret-4f1c9a7e2b';
        await store.createOAuthState({ state, teamId: 'T1', slackUserId: 'U1', expiresAt: future() });
        const raw = JSON.stringify(await h.rawRows('oauth_states'));
        expect(raw).not.toContain(state);
        expect(raw).toContain(createHash('sha256').update(state).digest('hex'));
        // A hash found in the database is not a state: presenting it gets nothing.
        expect(await store.consumeOAuthState(createHash('sha256').update(state).digest('hex'))).toBeUndefined();
        expect((await store.consumeOAuthState(state))?.state).toBe(state);
      });
    });

    describe('atomic column updates', () => {
      const tokens = (n: number) => ({ accessToken: `access-${n}`, refreshToken: `refresh-${n}`, expiresAt: new Date(Date.UTC(2031, 0, 1, 0, 0, n)) });

      it('setLinkedAccountExtension changes only the extension and updatedAt', async () => {
        await store.saveLinkedAccount(account());
        const at = new Date('2030-01-01T00:00:00.123Z');
        expect(await store.setLinkedAccountExtension('T1', 'U1', '0003*024', at)).toBe(true);
        expect(await store.getLinkedAccount('T1', 'U1')).toStrictEqual(account({ extension: '0003*024', updatedAt: at }));
        expect(await store.setLinkedAccountExtension('T1', 'UNOBODY', '0003*024', at)).toBe(false);
      });

      it('replaceLinkedAccountTokens swaps only the tokens, and only from the expected refresh token', async () => {
        await store.saveLinkedAccount(account());
        const at = new Date('2030-01-01T00:00:00.456Z');
        expect(await store.replaceLinkedAccountTokens('T1', 'U1', 'not-the-stored-one', tokens(1), at)).toBe(false);
        expect(await store.getLinkedAccount('T1', 'U1')).toStrictEqual(account());
        expect(await store.replaceLinkedAccountTokens('T1', 'U1', REFRESH, tokens(1), at)).toBe(true);
        expect(await store.getLinkedAccount('T1', 'U1')).toStrictEqual(account({ ...tokens(1), updatedAt: at }));
        // The rotated-away token can never be written back over the new one.
        expect(await store.replaceLinkedAccountTokens('T1', 'U1', REFRESH, tokens(2), at)).toBe(false);
        expect((await store.getLinkedAccount('T1', 'U1'))?.refreshToken).toBe('refresh-1');
        expect(await store.replaceLinkedAccountTokens('T1', 'UNOBODY', REFRESH, tokens(3), at)).toBe(false);
      });

      it('60 extension changes interleaved with refreshes over two connections: nothing is lost', async () => {
        await store.saveLinkedAccount(account());
        const other = await h.open(cipherA);
        const stores = [store, other];
        let refreshes = 0;
        const refresher = async (worker: number) => {
          for (let i = 0; i < 15; i++) {
            const s = stores[(worker + i) % 2]!;
            await s.withTokenRefreshLock('T1', 'U1', async () => {
              const cur = await s.getLinkedAccount('T1', 'U1');
              const n = ++refreshes;
              expect(await s.replaceLinkedAccountTokens('T1', 'U1', cur!.refreshToken, tokens(n), new Date())).toBe(true);
            });
          }
        };
        // One lane of 60 extension changes, each read back at once through the other connection:
        // a refresh that wrote back a whole row read earlier would revert it (a lost update).
        const lost: string[] = [];
        const changer = async () => {
          for (let i = 0; i < 60; i++) {
            const ext = `0003*${100 + i}`;
            expect(await stores[i % 2]!.setLinkedAccountExtension('T1', 'U1', ext, new Date())).toBe(true);
            const now = await stores[(i + 1) % 2]!.getLinkedAccount('T1', 'U1');
            if (now?.extension !== ext) lost.push(`${ext} read back as ${now?.extension}`);
          }
        };
        await Promise.all([refresher(0), refresher(1), changer()]);
        const final = await store.getLinkedAccount('T1', 'U1');
        expect(lost).toEqual([]);
        expect(final?.extension).toBe('0003*159');
        expect(refreshes).toBe(30);
        expect(final?.refreshToken).toBe('refresh-30');
        expect(final?.accessToken).toBe('access-30');
      });

      it('the token-refresh lock lets one holder in at a time, per user', async () => {
        await store.saveLinkedAccount(account());
        const other = await h.open(cipherA);
        let inside = 0;
        let most = 0;
        const order: string[] = [];
        const hold = (s: Store, name: string) =>
          s.withTokenRefreshLock('T1', 'U1', async () => {
            inside++;
            most = Math.max(most, inside);
            order.push(name);
            await s.getLinkedAccount('T1', 'U1');
            await s.getLinkedAccount('T1', 'U1');
            inside--;
            return name;
          });
        const results = await Promise.all([hold(store, 'a'), hold(other, 'b'), hold(store, 'c'), hold(other, 'd')]);
        expect(results).toEqual(['a', 'b', 'c', 'd']);
        expect(order.sort()).toEqual(['a', 'b', 'c', 'd']);
        // SQLite's lock is per store object (one process owns the file); PostgreSQL's spans connections.
        if (backend.name.startsWith('PostgreSQL')) expect(most).toBe(1);
        // A failing holder releases the lock.
        await expect(
          store.withTokenRefreshLock('T1', 'U1', async () => {
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await store.withTokenRefreshLock('T1', 'U1', async () => 'after')).toBe('after');
      });
    });

    describe('call cards', () => {
      const card = (o: Partial<CallCard> = {}): CallCard => ({
        teamId: 'T1',
        channelId: 'C1',
        messageTs: '1718000000.000100',
        phoneCallId: 'call-1',
        extension: '0003*210',
        postedBy: 'U1',
        updatedAt: new Date('2024-06-10T10:00:00.001Z'),
        ...o,
      });

      it('round-trips and finds all cards of a call, ordered by updatedAt', async () => {
        const c1 = card();
        const c2 = card({ channelId: 'C2', messageTs: '1718000001.000200', updatedAt: new Date('2024-06-10T09:59:59.999Z') });
        const c3 = card({ teamId: 'T2', channelId: 'C9', postedBy: undefined, updatedAt: new Date('2024-06-10T10:00:00.002Z') });
        delete c3.postedBy;
        const unrelated = card({ channelId: 'C3', phoneCallId: 'call-2' });
        for (const c of [c1, c2, c3, unrelated]) await store.saveCallCard(c);
        expect(await store.findCallCards('call-1')).toStrictEqual([c2, c1, c3]);
        expect(await store.findCallCards('call-2')).toStrictEqual([unrelated]);
        expect(await store.findCallCards('call-none')).toStrictEqual([]);
      });

      it('upserts on (teamId, channelId, messageTs)', async () => {
        await store.saveCallCard(card());
        const moved = card({ phoneCallId: 'call-2', extension: '0003*211', updatedAt: new Date('2024-06-10T10:05:00.123Z') });
        await store.saveCallCard(moved);
        expect(await store.findCallCards('call-1')).toStrictEqual([]);
        expect(await store.findCallCards('call-2')).toStrictEqual([moved]);
        expect(await h.rawRows('call_cards')).toHaveLength(1);
      });

      it('deletes one card by its message key', async () => {
        await store.saveCallCard(card());
        await store.saveCallCard(card({ messageTs: '1718000002.000300' }));
        await store.deleteCallCard('T1', 'C1', '1718000000.000100');
        await store.deleteCallCard('T1', 'C1', 'no-such-ts'); // no error
        const left = await store.findCallCards('call-1');
        expect(left.map((c) => c.messageTs)).toEqual(['1718000002.000300']);
      });
    });

    describe('watches', () => {
      const watch = (o: Partial<Watch> = {}): Watch => ({
        teamId: 'T1',
        channelId: 'C-sup',
        extension: '0003*210',
        createdBy: 'U-boss',
        createdAt: new Date('2024-01-01T00:00:00.007Z'),
        ...o,
      });

      it('adds once: a duplicate returns false and keeps the original', async () => {
        const w = watch();
        expect(await store.addWatch(w)).toBe(true);
        expect(await store.addWatch(watch({ createdBy: 'U-other', createdAt: new Date(0) }))).toBe(false);
        expect(await store.listWatchesForChannel('T1', 'C-sup')).toStrictEqual([w]);
      });

      it('lists by extension across teams/channels and by channel, ordered by creation', async () => {
        const w1 = watch();
        const w2 = watch({ channelId: 'C-other', createdAt: new Date('2023-12-31T23:59:59.999Z') });
        const w3 = watch({ teamId: 'T2', createdAt: new Date('2024-01-01T00:00:00.008Z') });
        const w4 = watch({ extension: '0003*211', createdAt: new Date('2024-01-01T00:00:00.000Z') });
        for (const w of [w1, w2, w3, w4]) expect(await store.addWatch(w)).toBe(true);
        expect(await store.listWatchesForExtension('0003*210')).toStrictEqual([w2, w1, w3]);
        expect(await store.listWatchesForExtension('0003*211')).toStrictEqual([w4]);
        expect(await store.listWatchesForExtension('0003*999')).toStrictEqual([]);
        expect(await store.listWatchesForChannel('T1', 'C-sup')).toStrictEqual([w4, w1]);
        expect(await store.listWatchesForChannel('T2', 'C-other')).toStrictEqual([]);
      });

      it('removes, reporting whether something was removed', async () => {
        await store.addWatch(watch());
        await store.addWatch(watch({ extension: '0003*211' }));
        expect(await store.removeWatch('T1', 'C-sup', '0003*210')).toBe(true);
        expect(await store.removeWatch('T1', 'C-sup', '0003*210')).toBe(false);
        expect((await store.listWatchesForChannel('T1', 'C-sup')).map((w) => w.extension)).toEqual(['0003*211']);
        expect(await store.addWatch(watch())).toBe(true); // can be re-added
      });
    });

    describe('request claims', () => {
      const at = (ms: number) => new Date(Date.UTC(2030, 0, 1) + ms);

      it('grants a key once until it expires, then again', async () => {
        expect(await store.claimOnce('press:1', at(60_000), at(0))).toBe(true);
        expect(await store.claimOnce('press:1', at(60_000), at(1_000))).toBe(false);
        expect(await store.claimOnce('press:2', at(60_000), at(1_000))).toBe(true);
        expect(await store.claimOnce('press:1', at(120_000), at(60_000))).toBe(true);
      });

      it('can be given back and claimed again', async () => {
        expect(await store.claimOnce('press:r', at(60_000), at(0))).toBe(true);
        await store.releaseClaim('press:r');
        expect(await store.claimOnce('press:r', at(60_000), at(1))).toBe(true);
        expect(await store.claimOnce('press:r', at(60_000), at(2))).toBe(false);
        await store.releaseClaim('never-claimed');
      });

      it('gives a key to exactly one of many concurrent claimers', async () => {
        const results = await Promise.all(Array.from({ length: 20 }, () => store.claimOnce('press:x', at(60_000), at(0))));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('survives close and reopen, and purges expired claims', async () => {
        await store.claimOnce('old', at(10), at(0));
        await store.claimOnce('kept', at(60_000), at(0));
        await store.close();
        const again = await h.open(cipherA);
        expect(await again.claimOnce('kept', at(60_000), at(20))).toBe(false);
        const keys = (await h.rawRows('request_claims')).map((r) => r.claim_key);
        expect(keys).toEqual(['kept']);
        await again.close();
      });
    });

    describe('open modals and board cards by message (replicas)', () => {
      const at = (ms: number) => new Date(Date.UTC(2030, 0, 1) + ms);

      it("gives an open modal's place once, to whoever asks first, until it expires", async () => {
        await store.saveOpenModal('m1', '{"channelId":"C1"}', at(60_000), at(0));
        await store.saveOpenModal('m2', '{"channelId":"C2"}', at(10), at(0));
        expect(await store.takeOpenModal('m2', at(20))).toBeUndefined();
        const both = await Promise.all([store.takeOpenModal('m1', at(1)), store.takeOpenModal('m1', at(1))]);
        expect(both.filter(Boolean)).toEqual(['{"channelId":"C1"}']);
        expect(await store.takeOpenModal('never', at(1))).toBeUndefined();
      });

      it('finds a board card by its message', async () => {
        const card = { teamId: 'T1', channelId: 'C1', phoneCallId: 'P1', extension: '0003*210', state: '{}', ended: false, updatedAt: new Date(5) };
        await store.saveBoardCard(card);
        expect(await store.findBoardCardAt('T1', 'C1', '1.5')).toBeUndefined();
        await store.saveBoardCard({ ...card, messageTs: '1.5' });
        expect((await store.findBoardCardAt('T1', 'C1', '1.5'))?.phoneCallId).toBe('P1');
        expect(await store.findBoardCardAt('T1', 'C2', '1.5')).toBeUndefined();
      });
    });

    describe('health and counts', () => {
      it('ping answers while the store can serve and rejects once it is closed', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
        await store.close();
        await expect(store.ping()).rejects.toThrow();
      });

      it('counts linked users and distinct watched extensions', async () => {
        expect(await store.countLinkedAccounts()).toBe(0);
        expect(await store.countWatchedExtensions()).toBe(0);
        await store.saveLinkedAccount(account());
        await store.saveLinkedAccount(account({ slackUserId: 'U2' }));
        await store.addWatch({ teamId: 'T1', channelId: 'C1', extension: '0003*210', createdBy: 'U1', createdAt: new Date(1) });
        await store.addWatch({ teamId: 'T1', channelId: 'C2', extension: '0003*210', createdBy: 'U1', createdAt: new Date(2) });
        await store.addWatch({ teamId: 'T1', channelId: 'C2', extension: '0003*211', createdBy: 'U1', createdAt: new Date(3) });
        expect(await store.countLinkedAccounts()).toBe(2);
        expect(await store.countWatchedExtensions()).toBe(2);
      });
    });

    describe('board: watch details, cards, audit entries', () => {
      const watch = (o: Partial<Watch> = {}): Watch => ({
        teamId: 'T1',
        channelId: 'C-sup',
        extension: '0003*210',
        createdBy: 'U-boss',
        createdAt: new Date('2024-01-01T00:00:00.007Z'),
        ...o,
      });
      const card = (o: Partial<BoardCard> = {}): BoardCard => ({
        teamId: 'T1',
        channelId: 'C-sup',
        phoneCallId: 'call-1',
        messageTs: '1718000000.000100',
        extension: '0003*210',
        state: '{"s":"ringing"}',
        ended: false,
        updatedAt: new Date('2024-06-10T10:00:00.001Z'),
        ...o,
      });

      it('stores a watch secret, its registered events and a pause, found by secret', async () => {
        const w = watch({ secret: 's3cr3t', eventIds: ['0:abc', '2:def'] });
        expect(await store.addWatch(w)).toBe(true);
        expect(await store.findWatchBySecret('s3cr3t')).toStrictEqual(w);
        expect(await store.findWatchBySecret('other')).toBeUndefined();
        const paused = { ...w, pausedAt: new Date('2024-02-02T00:00:00.123Z') };
        expect(await store.updateWatch(paused)).toBe(true);
        expect(await store.listWatchesForChannel('T1', 'C-sup')).toStrictEqual([paused]);
        expect(await store.updateWatch(watch({ extension: 'none' }))).toBe(false);
        const resumed = { ...w };
        await store.updateWatch(resumed);
        expect(await store.listWatches()).toStrictEqual([resumed]);
      });

      it('lists every watch in creation order', async () => {
        const a = watch({ createdAt: new Date(2) });
        const b = watch({ teamId: 'T2', createdAt: new Date(1) });
        await store.addWatch(a);
        await store.addWatch(b);
        expect(await store.listWatches()).toStrictEqual([b, a]);
      });

      it('upserts board cards per call per channel and lists the live ones', async () => {
        const c1 = card();
        const unposted = card({ phoneCallId: 'call-2', updatedAt: new Date('2024-06-10T09:00:00.000Z') });
        delete unposted.messageTs;
        await store.saveBoardCard(c1);
        await store.saveBoardCard(unposted);
        expect(await store.getBoardCard('T1', 'C-sup', 'call-2')).toStrictEqual(unposted);
        expect(await store.listLiveBoardCards()).toStrictEqual([unposted, c1]);
        const ended = { ...c1, state: '{"s":"ended"}', ended: true, updatedAt: new Date('2024-06-10T10:01:00.000Z') };
        await store.saveBoardCard(ended);
        expect(await store.getBoardCard('T1', 'C-sup', 'call-1')).toStrictEqual(ended);
        expect(await store.listLiveBoardCards()).toStrictEqual([unposted]);
        expect(await store.getBoardCard('T1', 'C-other', 'call-1')).toBeUndefined();
      });

      it("keeps a card's memory (escalation, supervisor legs) beside its state, across saves of the card", async () => {
        const c1 = card();
        await store.saveBoardCard(c1);
        const memory = { alerts: '{"key":"hold@2024","level":1}', legHints: '[{"from":"0003*025","mode":"whisper","private":true}]' };
        expect(await store.saveBoardCardMemory('T1', 'C-sup', 'call-1', memory)).toBe(true);
        expect(await store.getBoardCard('T1', 'C-sup', 'call-1')).toStrictEqual({ ...c1, ...memory });
        const next = { ...c1, state: '{"s":"on hold"}', updatedAt: new Date('2024-06-10T10:00:30.000Z') };
        await store.saveBoardCard(next); // a later state leaves the memory alone
        expect(await store.listLiveBoardCards()).toStrictEqual([{ ...next, ...memory }]);
        expect(await store.saveBoardCardMemory('T1', 'C-sup', 'call-1', { legHints: memory.legHints })).toBe(true);
        expect(await store.getBoardCard('T1', 'C-sup', 'call-1')).toStrictEqual({ ...next, legHints: memory.legHints });
        expect(await store.saveBoardCardMemory('T1', 'C-other', 'call-1', memory)).toBe(false);
        expect(await store.getBoardCard('T1', 'C-other', 'call-1')).toBeUndefined();
      });

      it('keeps audit entries per card in order', async () => {
        const e = (seq: number, text: string): AuditEntry => ({ teamId: 'T1', channelId: 'C-sup', phoneCallId: 'call-1', seq, at: new Date(1000 + seq), text });
        await store.appendAuditEntry(e(2, 'answered'));
        await store.appendAuditEntry(e(1, 'ringing'));
        await store.appendAuditEntry({ ...e(1, 'elsewhere'), channelId: 'C-2' });
        expect(await store.listAuditEntries('T1', 'C-sup', 'call-1')).toStrictEqual([e(1, 'ringing'), e(2, 'answered')]);
        expect(await store.listAuditEntries('T1', 'C-sup', 'call-9')).toStrictEqual([]);
      });
    });

    describe('lifecycle and migrations', () => {
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
        expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7]);
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
    });
  });
}

// ---------------------------------------------------------------------------------------------
// SQLite

const tempDirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'callops-store-'));
  tempDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const sqliteBackend: Backend = {
  name: 'SQLite',
  async createHarness() {
    const dir = tempDir();
    const file = join(dir, 'not', 'yet', 'there', 'callops.sqlite'); // directory is created by the store
    const stores: SqliteStore[] = [];
    const raw = () => new Database(file);
    return {
      async open(cipher) {
        const s = new SqliteStore({ file, cipher });
        stores.push(s);
        await s.init();
        return s;
      },
      async rawRows(table) {
        const db = raw();
        try {
          return db.prepare(`SELECT * FROM ${table}`).all() as Row[];
        } finally {
          db.close();
        }
      },
      async rawExec(sql) {
        const db = raw();
        try {
          db.exec(sql);
        } finally {
          db.close();
        }
      },
      async dispose() {
        for (const s of stores) await s.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

contract(sqliteBackend);

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

// ---------------------------------------------------------------------------------------------
// PostgreSQL

const explicitPgUrl = process.env.TEST_DATABASE_URL;
const pgCandidates = explicitPgUrl ? [explicitPgUrl] : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable URL>';
  }
}

async function probePostgres(): Promise<{ url: string } | { failures: string[] }> {
  const failures: string[] = [];
  for (const url of pgCandidates) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return { url };
    } catch (err) {
      failures.push(`${redact(url)}: ${(err as Error).message || String(err)}`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return { failures };
}

const pgProbe = await probePostgres();
const pgUrl = 'url' in pgProbe ? pgProbe.url : undefined;

if (!pgUrl) {
  const reason = 'failures' in pgProbe ? pgProbe.failures.join('; ') : '';
  if (explicitPgUrl) {
    describe('Store contract: PostgreSQL', () => {
      it('connects to TEST_DATABASE_URL', () => {
        throw new Error(`TEST_DATABASE_URL is set but PostgreSQL is unreachable: ${reason}`);
      });
    });
  } else {
    console.warn(`[store tests] Skipping PostgreSQL suites: no server reachable (${reason})`);
    describe.skip(`Store contract: PostgreSQL (skipped: unreachable: ${reason})`, () => {
      it('needs a PostgreSQL server', () => undefined);
    });
  }
} else {
  const url = pgUrl;
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  afterAll(async () => {
    await admin.end();
  });
  const freshSchema = () => `callops_test_${randomBytes(6).toString('hex')}`;

  contract({
    name: `PostgreSQL (${redact(url)})`,
    async createHarness() {
      const schema = freshSchema();
      const stores: PostgresStore[] = [];
      return {
        async open(cipher) {
          const s = new PostgresStore({ connectionString: url, cipher, schema, maxConnections: 4 });
          stores.push(s);
          await s.init();
          return s;
        },
        async rawRows(table) {
          return (await admin.query(`SELECT * FROM "${schema}".${table}`)).rows as Row[];
        },
        async rawExec(sql) {
          const client = await admin.connect();
          try {
            await client.query(`SET search_path TO "${schema}"`);
            await client.query(sql);
          } finally {
            await client.query('RESET search_path').catch(() => undefined);
            client.release();
          }
        },
        async dispose() {
          for (const s of stores) await s.close();
          await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        },
      };
    },
  });

  describe('PostgresStore specifics', () => {
    const schemas: string[] = [];
    afterEach(async () => {
      for (const s of schemas.splice(0)) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    });

    it('creates its schema and tables there, with timestamptz columns', async () => {
      const schema = freshSchema();
      schemas.push(schema);
      const s = new PostgresStore({ connectionString: url, cipher: cipherA, schema });
      await s.init();
      const { rows } = await admin.query(
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
        { table_name: 'watches', data_type: 'timestamp with time zone' },
      ]);
      await s.close();
    });

    it('migrates safely when several instances start at once', async () => {
      const schema = freshSchema();
      schemas.push(schema);
      const stores = Array.from({ length: 4 }, () => new PostgresStore({ connectionString: url, cipher: cipherA, schema }));
      await Promise.all(stores.map((s) => s.init()));
      const { rows } = await admin.query(`SELECT version FROM "${schema}".schema_version ORDER BY version`);
      expect(rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }, { version: 6 }, { version: 7 }]);
      await Promise.all(stores.map((s) => s.close()));
    });

    it('rejects a schema name that is not a plain identifier', () => {
      expect(() => new PostgresStore({ connectionString: url, cipher: cipherA, schema: 'x"; DROP TABLE y; --' })).toThrow(/plain identifier/);
    });

    it('openStore chooses PostgreSQL when a database URL is given', async () => {
      const schema = freshSchema();
      schemas.push(schema);
      await admin.query(`CREATE SCHEMA "${schema}"`);
      const u = new URL(url);
      u.searchParams.set('options', `-c search_path=${schema}`);
      const dataDir = tempDir();
      const s = await openStore({ databaseUrl: u.toString(), dataDir, cipher: cipherA });
      expect(s).toBeInstanceOf(PostgresStore);
      await s.saveLinkedAccount(account());
      const { rows } = await admin.query(`SELECT voipnow_user_id FROM "${schema}".linked_accounts`);
      expect(rows).toEqual([{ voipnow_user_id: '12' }]);
      expect(existsSync(join(dataDir, SQLITE_FILE_NAME))).toBe(false);
      await s.close();
    });
  });
}
