/**
 * Sandbox PBX, robustness: faults (latency, 500s, hang), unknown routes,
 * hostile input, the /_sandbox/ controls and close().
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { waitUntil } from './helpers/wait.js';

let sb: Sandbox;
let token: string;
const CALL = '/uapi/phoneCalls/12/0003*210/b817d2618fe6f1804333';

async function api(method: string, path: string, body?: string, signal?: AbortSignal) {
  const res = await fetch(sb.url + path, { method, body, signal, headers: { Authorization: `Bearer ${token}` } });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

beforeAll(async () => {
  sb = await startSandbox({ pickupDelayMs: 50 });
  token = sb.issueToken('12').accessToken;
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.setFaults({});
  sb.reset();
});

describe('faults', () => {
  it('latencyMs delays /uapi answers only', async () => {
    sb.setFaults({ latencyMs: 250 });
    const t = Date.now();
    expect((await api('GET', CALL)).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(240);
    // A latency longer than the test's timeout: OAuth answering at all shows it is not delayed.
    sb.setFaults({ latencyMs: 600_000 });
    const oauth = await fetch(`${sb.url}/oauth/token.php`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'callops-demo', client_secret: 'callops-demo-secret' }),
    });
    expect(oauth.status).toBe(200);
    sb.setFaults({});
  });

  it('errorRate answers 500 internal_server_error without a stack, and acts on nothing', async () => {
    sb.setFaults({ errorRate: 1 });
    const r = await api('PUT', CALL, '{"action":"OnHold","phoneCallViewId":"01"}');
    expect(r).toEqual({ status: 500, json: { error: { code: 'internal_server_error', message: expect.any(String) } } });
    expect(JSON.stringify(r.json)).not.toMatch(/at .*\.ts/);
    sb.setFaults({});
    const view = (await api('GET', CALL)).json.entry[0].phoneCallView[0];
    expect(view).not.toHaveProperty('onHold');
  });

  it('errorRate uses the injected random source', async () => {
    const rolls = [0.1, 0.9, 0.4, 0.6];
    const rigged = await startSandbox({ faults: { errorRate: 0.5 }, random: () => rolls.shift() ?? 1 });
    try {
      const tok = rigged.issueToken('12').accessToken;
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        statuses.push((await fetch(`${rigged.url}${CALL}`, { headers: { Authorization: `Bearer ${tok}` } })).status);
      }
      expect(statuses).toEqual([500, 200, 500, 200]);
    } finally {
      await rigged.close();
    }
  });

  it('hang: no answer until the client gives up; released when the faults change', async () => {
    sb.setFaults({ hang: true });
    // The client gives up once the sandbox holds its request (a timer could fire before the request arrives).
    const first = sb.requests.length;
    const giveUp = new AbortController();
    const abandoned = api('GET', CALL, undefined, giveUp.signal);
    await waitUntil('the sandbox to receive the request', () => sb.requests[first]);
    giveUp.abort();
    await expect(abandoned).rejects.toThrow();
    expect(sb.requests.at(-1)).toMatchObject({ path: CALL, status: 0 });

    const before = sb.requests.length;
    const pending = api('GET', CALL);
    const hung = await waitUntil('the sandbox to receive the request', () => sb.requests[before]);
    expect(hung.status).toBe(0);
    sb.setFaults({});
    expect((await pending).status).toBe(200);
  });

  it('a hung request whose client gave up is not acted on', async () => {
    sb.setFaults({ hang: true });
    const before = sb.requests.length;
    const giveUp = new AbortController();
    const abandoned = api('PUT', CALL, '{"action":"OnHold","phoneCallViewId":"01"}', giveUp.signal);
    await waitUntil('the sandbox to receive the request', () => sb.requests[before]);
    giveUp.abort();
    await expect(abandoned).rejects.toThrow();
    await waitUntil('the sandbox to see the client close the connection', () => sb.requests[before]?.clientGone);
    // Releasing the gate resumes the hung PUT in microtasks, before the next request is even read.
    sb.setFaults({});
    expect((await api('GET', CALL)).json.entry[0].phoneCallView[0]).not.toHaveProperty('onHold');
  });

  it('close() ends hung requests', async () => {
    const other = await startSandbox({ faults: { hang: true } });
    const tok = other.issueToken('12').accessToken;
    const pending = fetch(`${other.url}${CALL}`, { headers: { Authorization: `Bearer ${tok}` } });
    await waitUntil('the sandbox to receive the request', () => other.requests.length === 1);
    // A hung request never ends by itself: close() resolving and the request failing is the proof.
    await other.close();
    await expect(pending).rejects.toThrow();
  });

  it('faults can be set over HTTP through /_sandbox/faults', async () => {
    const set = await fetch(`${sb.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ errorRate: 1 }) });
    expect(await set.json()).toEqual({ faults: { errorRate: 1 } });
    expect((await api('GET', CALL)).status).toBe(500);
    const bad = await fetch(`${sb.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ errorRate: 3 }) });
    expect(bad.status).toBe(400);
  });
});

describe('routes and hostile input', () => {
  it('unknown routes and methods → 501 request_not_implemented', async () => {
    for (const [method, path] of [
      ['GET', '/uapi/cdr/@me'],
      ['PATCH', CALL],
      ['POST', CALL],
      ['POST', '/uapi/phoneCalls/@me/conferenceInvite'],
      ['GET', '/uapi/phoneCalls/@me'],
      ['GET', '/nowhere'],
      ['PUT', '/oauth/token.php'],
    ] as const) {
      const r = await api(method, path, method === 'GET' ? undefined : '{}');
      expect(r, `${method} ${path}`).toEqual({ status: 501, json: { error: { code: 'request_not_implemented', message: expect.any(String) } } });
    }
  });

  it('malformed JSON → 400 request_invalid, recorded with the raw body', async () => {
    const r = await api('PUT', CALL, '{"action":"OnHold",');
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('request_invalid');
    expect(sb.requests.at(-1)).toMatchObject({ method: 'PUT', body: '{"action":"OnHold",', status: 400, userId: '12' });
  });

  it('never answers 5xx to garbage', async () => {
    const bodies = [
      'null',
      '[]',
      '"str"',
      '42',
      '{"action":{}}',
      '{"action":"Whisper","sendCallTo":{},"phoneCallViewId":"01"}',
      '{"action":"Transfer","sendCallTo":["0003*025"],"phoneCallViewId":"01","transferFromNumber":{}}',
      '{"action":"Park","phoneCallViewId":[],"maxInParking":{}}',
      `{"action":"OnHold","phoneCallViewId":"${'9'.repeat(10000)}"}`,
      '{"__proto__":{"action":"OnHold"},"phoneCallViewId":"01"}',
      '\u0000\u0001',
      '{"action":"UnPark","sendCallTo":null,"phoneCallViewId":"01"}',
    ];
    const paths = [
      CALL,
      '/uapi/phoneCalls/%E0%A4%A/0003*210',
      '/uapi/phoneCalls/@me/%00/x',
      `/uapi/phoneCalls/${'1'.repeat(5000)}/0003*210`,
      '/uapi/extensions/@me/0003*210/phoneCallEvents/0/x/y/z',
      '/uapi/extensions/@me/0003*210/phoneCallEvents/-1',
      '/uapi/phoneCalls/@me/0003*210/b817d2618fe6f1804333?count=999999&startIndex=-1',
    ];
    for (const path of paths) {
      for (const method of ['GET', 'PUT', 'POST', 'DELETE']) {
        for (const body of method === 'GET' ? [undefined] : bodies) {
          const r = await api(method, path, body);
          expect(r.status, `${method} ${path} ${body}`).toBeGreaterThanOrEqual(200);
          expect(r.status, `${method} ${path} ${body}`).not.toBe(500);
        }
      }
    }
    // Still serving (the DELETEs above hung the call up).
    sb.reset();
    expect((await api('GET', CALL)).status).toBe(200);
  });

  it('answers 400 request_invalid to an undecodable path', async () => {
    const r = await api('GET', '/uapi/phoneCalls/%E0%A4%A/0003*210');
    expect([r.status, r.json.error.code]).toEqual([400, 'request_invalid']);
  });

  it('a body over 1 MB is refused', async () => {
    const r = await api('PUT', CALL, `{"note":"${'x'.repeat(1024 * 1024 + 10)}"}`);
    expect([r.status, r.json.error.code]).toEqual([400, 'request_invalid']);
  });
});

describe('/_sandbox controls', () => {
  it('reset restores the starting data and keeps tokens', async () => {
    await api('DELETE', CALL);
    expect((await api('GET', CALL)).status).toBe(204);
    const reset = await fetch(`${sb.url}/_sandbox/reset`, { method: 'POST' });
    expect(reset.status).toBe(200);
    expect((await api('GET', CALL)).status).toBe(200);
  });

  it('world lists users, extensions and calls', async () => {
    const w = (await (await fetch(`${sb.url}/_sandbox/world`)).json()) as any;
    expect(w.users.map((u: any) => u.id)).toEqual(expect.arrayContaining(['3', '12', '13', '14']));
    expect(w.extensions.find((e: any) => e.number === '0003*210')).toMatchObject({ ownerId: '12', type: 'phoneTerminal' });
    expect(w.calls).toHaveLength(3);
  });

  it('calls starts an inbound call that rings, then is answered', async () => {
    const res = await fetch(`${sb.url}/_sandbox/calls`, { method: 'POST', body: JSON.stringify({ to: '0003*210' }) });
    expect(res.status).toBe(201);
    const call = (await res.json()) as any;
    expect(call.phoneCallView[0]).toMatchObject({ status: '3', source: ['5550100'], destination: ['0003*210'], flow: 8 });
    expect(sb.world.calls.get(call.id)?.views[0]?.status).toBe(3);
    await waitUntil('the inbound call to be answered', () => sb.world.calls.get(call.id)?.views[0]?.status === 5);
    const bad = await fetch(`${sb.url}/_sandbox/calls`, { method: 'POST', body: JSON.stringify({ to: 'nowhere' }) });
    expect(bad.status).toBe(400);
  });

  it('GET / describes the sandbox', async () => {
    const text = await (await fetch(`${sb.url}/`)).text();
    expect(text).toContain('/oauth/token.php');
    expect(sb.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
