/**
 * Every documented answer through the adapter, against the sandbox with injected
 * faults: 204 on a list is an empty list; 429 carries Retry-After and becomes a
 * sentence saying when to retry; a read (GET) is retried once after a network
 * error or a 5xx; an action (PUT/POST/DELETE) is never sent twice.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/sandbox/server.js';
import type { UapiClient } from '../src/uapi/client.js';
import { rateLimitSentence, retryAfterSeconds, UapiHttp } from '../src/uapi/http.js';
import { rejection, useSandboxEnv } from './helpers/uapi-sandbox.js';

const CALL = SEED_IDS.seedCall;
const ref = { userId: '12', extension: '0003*210', phoneCallId: CALL };

const env = useSandboxEnv({ pickupDelayMs: 40, timeoutMs: 5000, clearFaults: true, clearRequests: true });
let client: UapiClient;

beforeEach(() => {
  client = env.client('12');
});

const sent = (method: string) => env.sandbox.requests.filter((r) => r.method === method);

describe('204 No Content', () => {
  it('a list answered 204 is an empty list', async () => {
    // 0003*025 has no live call: the sandbox answers 204 as the List page's table says.
    const bob = env.client('14');
    const calls = await bob.listPhoneCalls({ extension: '0003*025' });
    expect(env.sandbox.requests.at(-1)!.status).toBe(204);
    expect(calls).toEqual([]);
  });

  it('a list of call events answered 204 is an empty list', async () => {
    const events = await client.listPhoneCallEvents({ extension: '0003*210', eventType: 4 });
    expect(env.sandbox.requests.at(-1)!.status).toBe(204);
    expect(events).toEqual([]);
  });
});

describe('429 Too Many Requests', () => {
  it('carries Retry-After into the error and a sentence that says when to retry', async () => {
    env.sandbox.setFaults({ rateLimitSec: 30 });
    const err = await rejection(client.listPhoneCalls({ extension: '0003*210' }));
    expect(err).toMatchObject({ status: 429, retryAfterSec: 30, code: 'too_many_requests' });
    expect(err.sentence).toMatch(/Try again in 30 seconds \(after \d\d:\d\d:\d\d UTC\)/);
    // A 429 is not retried: the server asked us to wait.
    expect(sent('GET')).toHaveLength(1);
  });

  it('an action that is rate-limited is sent once and says when to retry', async () => {
    env.sandbox.setFaults({ rateLimitSec: 300 });
    const err = await rejection(client.act(ref, { action: 'OnHold', phoneCallViewId: '01' }));
    expect(err.sentence).toMatch(/Try again in 5 minutes/);
    expect(sent('PUT')).toHaveLength(1);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T10:00:00Z');
    expect(retryAfterSeconds('12', now)).toBe(12);
    expect(retryAfterSeconds('Thu, 01 Jan 2026 10:01:30 GMT', now)).toBe(90);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
    expect(rateLimitSentence(undefined)).toMatch(/did not say for how long/);
    expect(rateLimitSentence(45, new Date('2026-01-01T10:00:00Z'))).toBe('VoipNow is rate-limiting requests. Try again in 45 seconds (after 10:00:45 UTC).');
  });
});

describe('a read is retried once, an action never', () => {
  it('GET after one 500 is tried again and succeeds', async () => {
    env.sandbox.setFaults({ failNext: 1 });
    const calls = await client.listPhoneCalls({ extension: '0003*210' });
    expect(calls.map((c) => c.id)).toContain(CALL);
    expect(sent('GET').map((r) => r.status)).toEqual([500, 200]);
  });

  it('GET after a dropped connection is tried again and succeeds', async () => {
    env.sandbox.setFaults({ dropNext: 1 });
    const calls = await client.listPhoneCalls({ extension: '0003*210' });
    expect(calls.map((c) => c.id)).toContain(CALL);
    expect(sent('GET')).toHaveLength(2);
  });

  it('GET failing twice is tried only twice and the 5xx becomes a sentence', async () => {
    env.sandbox.setFaults({ failNext: 5 });
    const err = await rejection(client.listPhoneCalls({ extension: '0003*210' }));
    expect(err).toMatchObject({ status: 500, code: 'internal_server_error' });
    expect(sent('GET')).toHaveLength(2);
  });

  it('PUT after a 500 is not sent again', async () => {
    env.sandbox.setFaults({ failNext: 1 });
    const err = await rejection(client.act(ref, { action: 'OnHold', phoneCallViewId: '01' }));
    expect(err.status).toBe(500);
    expect(sent('PUT')).toHaveLength(1);
    expect(env.sandbox.world.calls.get(CALL)!.views[0]!.onHold).toBeUndefined();
  });

  it('PUT on a dropped connection is not sent again', async () => {
    env.sandbox.setFaults({ dropNext: 1 });
    const err = await rejection(client.act(ref, { action: 'OnHold', phoneCallViewId: '01' }));
    expect(err.kind).toBe('network');
    expect(sent('PUT')).toHaveLength(1);
  });

  it('DELETE after a 500 is not sent again', async () => {
    env.sandbox.setFaults({ failNext: 1 });
    await rejection(client.hangUp(ref));
    expect(sent('DELETE')).toHaveLength(1);
    expect(env.sandbox.world.calls.has(CALL)).toBe(true);
  });
});

describe("links in the pages' form", () => {
  it('the 202 link.self `http://host//uapi/...` is followed on the configured server, normalised to one slash', async () => {
    const { accepted, call } = await client.act(ref, { action: 'OnHold', phoneCallViewId: '01' });
    expect(accepted!.self).toBe(`${env.sandbox.url}//uapi/phoneCalls/12/0003*210/${CALL}`);
    expect(env.sandbox.requests.at(-1)).toMatchObject({ method: 'GET', path: `/uapi/phoneCalls/12/0003*210/${CALL}` });
    expect(call!.phoneCallView[0]!.holder).toBe(1);
  });

  it("a link to another origin (a proxy's public name) is not followed; the call is read at its canonical path", async () => {
    const viaProxy = new UapiHttp({ baseUrl: env.sandbox.url, timeoutMs: 5000 });
    try {
      // The sandbox builds links from X-Forwarded-Host, as behind a TLS proxy; this client did not come through it.
      const res = await fetch(`${env.sandbox.url}/uapi/phoneCalls/12/0003*210/${CALL}`, {
        method: 'PUT',
        headers: {
          Authorization: `Bearer ${env.sandbox.issueToken('12').accessToken}`,
          'Content-Type': 'application/json',
          'X-Forwarded-Host': 'pbx.example.com',
          'X-Forwarded-Proto': 'https',
        },
        body: JSON.stringify({ action: 'OnHold', phoneCallViewId: '01' }),
      });
      expect(((await res.json()) as { link: { self: string } }).link.self).toBe(`https://pbx.example.com//uapi/phoneCalls/12/0003*210/${CALL}`);
      expect(() => viaProxy.resolve('https://pbx.example.com//uapi/phoneCalls/12/0003*210/x')).toThrow(/another server/);
    } finally {
      viaProxy.close();
    }
  });
});
