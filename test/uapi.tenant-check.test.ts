/**
 * The check a workspace's VoipNow settings pass before they are saved, against the sandbox
 * PBX: the right app credentials pass; a wrong secret, a wrong client id, a server that
 * does not answer and an address that is not one each get their own plain sentence, and
 * the secret is never in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { checkTenant } from '../src/uapi/tenant-check.js';
import { freePort } from './helpers/free-port.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({});
});
afterAll(async () => sandbox.close());

describe('checking a VoipNow server before it is saved', () => {
  it('the sandbox with its app credentials passes', async () => {
    expect(await checkTenant({ url: sandbox.url, clientId: 'callops-demo', clientSecret: 'callops-demo-secret' })).toEqual({ ok: true });
  });

  it('a wrong secret or client id is named as such, without echoing the secret', async () => {
    const wrong = await checkTenant({ url: sandbox.url, clientId: 'callops-demo', clientSecret: 'not-the-secret' });
    expect(wrong).toEqual({ ok: false, problem: expect.stringMatching(/does not accept this client id and secret/) });
    expect(JSON.stringify(wrong)).not.toContain('not-the-secret');
    expect(await checkTenant({ url: sandbox.url, clientId: 'someone-else', clientSecret: 'callops-demo-secret' })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/client id and secret/),
    });
  });

  it('a server that does not answer, and an address that is not one, are told apart', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    expect(await checkTenant({ url: closed, clientId: 'a', clientSecret: 'b' }, { timeoutMs: 2000 })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^could not reach http:\/\/127\.0\.0\.1/),
    });
    expect(await checkTenant({ url: 'voipnow dot example', clientId: 'a', clientSecret: 'b' })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/is not a web address.*https:\/\/voipnow\.example\.com/),
    });
  });
});
