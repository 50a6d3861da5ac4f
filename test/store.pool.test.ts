/**
 * The PostgreSQL store never hangs on its own pool:
 * - 20 concurrent refreshes of expired tokens on a pool of 2 all finish, none fails (before: each
 *   refresh held a connection for its lock and waited for a second one, so a full pool waited forever).
 * - readiness fails, quickly and saying why, when the pool cannot serve.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { Accounts } from '../src/slack/users/accounts.js';
import { PostgresStore } from '../src/store/postgres.js';
import { TokenCipher } from '../src/store/index.js';
import { UapiHttp } from '../src/uapi/http.js';
import { VoipnowOAuth } from '../src/uapi/oauth.js';
import { silentLogger } from '../src/log.js';
import { freshSchema, pgAdmin, pgRequired, pgUnavailable, pgUrl } from './helpers/pg.js';

if (!pgUrl && !pgRequired) console.warn(`store.pool: PostgreSQL unavailable (${pgUnavailable}); skipped`);

/** Rejects when `p` has not settled within `ms`: a hang becomes a failure naming what hung. */
function within<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

describe.skipIf(!pgUrl && !pgRequired)('PostgreSQL pool', () => {
  const cipher = TokenCipher.fromKey(TokenCipher.generateKey());
  let sandbox: Sandbox;
  let store: PostgresStore;
  let schema: string;
  const https: UapiHttp[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({});
  });
  afterAll(async () => {
    await sandbox.close();
  });
  afterEach(async () => {
    for (const h of https) h.close();
    await store?.close();
    await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });

  it('20 concurrent refreshes of expired tokens on a pool of 2 all finish, none fails', async () => {
    schema = freshSchema('callops_pool');
    store = new PostgresStore({ connectionString: pgUrl!, cipher, schema, maxConnections: 2 });
    await store.init();
    const http = new UapiHttp({ baseUrl: sandbox.url, timeoutMs: 10_000 });
    https.push(http);
    const oauth = new VoipnowOAuth(http, { clientId: 'callops-demo', clientSecret: 'callops-demo-secret' });
    const accounts = new Accounts(store, http, oauth, silentLogger);
    const users = Array.from({ length: 20 }, (_, i) => ({ teamId: 'T1', userId: `UPOOL${i}` }));
    for (const user of users) {
      const t = sandbox.issueToken('12', 3600);
      // Already expired: the first use refreshes.
      await accounts.link(user, { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: new Date(Date.now() - 60_000) });
    }
    const before = new Map(await Promise.all(users.map(async (u) => [u.userId, (await accounts.get(u))!.accessToken] as const)));
    const results = await within(
      '20 concurrent refreshes',
      10_000,
      Promise.allSettled(
        users.map(async (user) => {
          const { client } = await accounts.clientFor(user);
          return client.listPhoneCalls({ extension: '0003*210' });
        }),
      ),
    );
    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`${users[i]!.userId}: ${String(r.reason)}`] : []));
    expect(failures).toEqual([]);
    for (const user of users) {
      const after = await accounts.get(user);
      expect(after!.accessToken, `${user.userId} got a new token`).not.toBe(before.get(user.userId));
      expect(after!.expiresAt.getTime()).toBeGreaterThan(Date.now());
    }
  });

  it('readiness fails fast, saying why, when every pooled connection is taken', async () => {
    schema = freshSchema('callops_pool');
    store = new PostgresStore({ connectionString: pgUrl!, cipher, schema, maxConnections: 2, pingTimeoutMs: 500 });
    await store.init();
    await expect(store.ping()).resolves.toBeUndefined();
    // Two refresh locks held by work that has not finished: both connections are taken.
    let finish!: () => void;
    const held = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let entered = 0;
    const holders = ['UA', 'UB'].map((u) =>
      store.withTokenRefreshLock('T1', u, async () => {
        entered++;
        await held;
      }),
    );
    const end = Date.now() + 10_000;
    while (entered < 2) {
      if (Date.now() > end) throw new Error('the two locks were not taken');
      await new Promise((r) => setTimeout(r, 10));
    }
    await expect(within('readiness probe', 5000, store.ping())).rejects.toThrow(/pool cannot serve.*2 of 2 in use/);
    finish();
    await Promise.all(holders);
    await expect(within('readiness probe', 5000, store.ping())).resolves.toBeUndefined();
  });
});
