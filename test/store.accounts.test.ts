/**
 * AccountStore contract, run by every backend: linked accounts round-trip exactly, tokens are
 * encrypted and bound to their row, the extension and the tokens change alone, and one token
 * refresh per user runs at a time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenDecryptionError } from '../src/store/crypto.js';
import type { AccountStore, LinkedAccount } from '../src/store/types.js';
import { forEachBackend, type StoreHarness } from './helpers/store-backends.js';
import { ACCESS, account, cipherA, cipherB, REFRESH } from './helpers/store-records.js';

forEachBackend('AccountStore contract', (backend) => {
  let h: StoreHarness;
  let store: AccountStore;
  beforeEach(async () => {
    h = await backend.createHarness();
    store = await h.open(cipherA);
  });
  afterEach(() => h.dispose());

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
      expect(String(row.access_token)).toMatch(/^v2:default:[^:]+:[^:]+:[^:]+$/);
      expect(String(row.refresh_token)).toMatch(/^v2:default:[^:]+:[^:]+:[^:]+$/);
      // Non-secret columns are stored as-is (sanity check that we read the right row).
      expect(row.voipnow_user_id).toBe('12');
      expect(row.extension).toBe('0003*210');
    });

    it('fails clearly when opened with another key, without leaking the token', async () => {
      await store.saveLinkedAccount(account());
      await (await h.open(cipherA)).addWatch({ teamId: 'T1', channelId: 'C1', extension: '0003*210', createdBy: 'U1', createdAt: new Date(5) });
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
      const hold = (s: AccountStore, name: string) =>
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

  it('counts the linked users', async () => {
    expect(await store.countLinkedAccounts()).toBe(0);
    await store.saveLinkedAccount(account());
    await store.saveLinkedAccount(account({ slackUserId: 'U2' }));
    await store.saveLinkedAccount(account()); // the same user again
    expect(await store.countLinkedAccounts()).toBe(2);
  });
});
