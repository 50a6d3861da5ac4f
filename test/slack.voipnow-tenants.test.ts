/**
 * Each workspace's VoipNow server as the app resolves it: none until its admin connects one,
 * a client for the stored settings (rebuilt when they change, at once on every replica as
 * they are read each time), and "last seen working" brought up to date when it answers.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { SqliteStore, SqlVoipnowTenantStore, TokenCipher, sqlRunnerOf } from '../src/store/index.js';
import { StoredTenants } from '../src/slack/workspaces/voipnow-tenants.js';
import { UapiClient, staticToken } from '../src/uapi/client.js';
import { createLogger } from '../src/log.js';
import { waitUntil } from './helpers/wait.js';

let sandbox: Sandbox;
let store: SqliteStore;
let tenants: StoredTenants;
let settings: SqlVoipnowTenantStore;

beforeEach(async () => {
  sandbox = await startSandbox({});
  const cipher = TokenCipher.fromKey(randomBytes(32).toString('hex'));
  store = new SqliteStore({ file: ':memory:', cipher });
  settings = new SqlVoipnowTenantStore(sqlRunnerOf(store), cipher);
  tenants = new StoredTenants(settings, { timeoutMs: 3000, logger: createLogger('error', () => undefined) });
});
afterEach(async () => {
  tenants.close();
  await store.close();
  await sandbox.close();
});

const connect = (teamId: string, url: string) => settings.save({ teamId, url, clientId: 'callops-demo', clientSecret: 'callops-demo-secret', setBy: 'U1', setAt: new Date() });

describe('StoredTenants', () => {
  it('has no server for a workspace that connected none', async () => {
    expect(await tenants.of('T1')).toBeUndefined();
  });

  it("builds a client for the workspace's settings and keeps it while they stay the same", async () => {
    await connect('T1', sandbox.url);
    const first = await tenants.of('T1');
    expect(first?.http.origin).toBe(new URL(sandbox.url).origin);
    expect(await tenants.of('T1')).toBe(first);
    // Changed by anyone (another replica too): the next call uses the new settings.
    await connect('T1', 'http://127.0.0.1:1');
    expect((await tenants.of('T1'))?.http.origin).toBe('http://127.0.0.1:1');
    await settings.delete('T1');
    expect(await tenants.of('T1')).toBeUndefined();
  });

  it('records when the server last answered', async () => {
    await connect('T1', sandbox.url);
    expect((await settings.find('T1'))?.lastOkAt).toBeUndefined();
    const tenant = (await tenants.of('T1'))!;
    await new UapiClient(tenant.http, staticToken(sandbox.issueToken('12').accessToken)).listPhoneCalls({ extension: '0003*210' });
    await waitUntil('last seen working recorded', async () => (await settings.find('T1'))?.lastOkAt);
  });
});
