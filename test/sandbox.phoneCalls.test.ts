/**
 * Sandbox PBX, PhoneCalls: the seed pages' examples sent as raw HTTP requests
 * (typos of the pages repaired), every documented error code, and the state
 * read back with GET.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { rawRequest, expectUapiError, type RawResponse } from './helpers/raw-uapi.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { waitUntil } from './helpers/wait.js';

let sb: Sandbox;
let token: string; // user 12, John Doe, owner of 0003*210

const CALL = '/uapi/phoneCalls/12/0003*210/b817d2618fe6f1804333';

type Res = RawResponse;

const api = (method: string, path: string, body?: unknown, tok: string = token): Promise<Res> => rawRequest(sb.url, method, path, body, tok);

/** Polls until `ok` holds (or fails after a generous deadline), returning the answer that satisfied it. */
async function until(fn: () => Promise<Res>, ok: (r: Res) => boolean): Promise<Res> {
  let last: Res | undefined;
  return waitUntil('a sandbox answer meeting the condition', async () => {
    last = await fn();
    return ok(last) ? last : undefined;
  }).catch((err: Error) => {
    throw new Error(`${err.message}; last answer ${last?.status} ${JSON.stringify(last?.json)}`);
  });
}

const getCall = (path = CALL, tok = token) => api('GET', path, undefined, tok);
const views = (r: Res): any[] => r.json.entry[0].phoneCallView;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/;

beforeAll(async () => {
  sb = await startSandbox({ pickupDelayMs: 50 });
  token = sb.issueToken('12').accessToken;
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

const expectError = expectUapiError;

describe('List PhoneCalls', () => {
  it('shows the seed call as on the OnHold page', async () => {
    const r = await getCall();
    expect(r.status).toBe(200);
    const call = r.json.entry[0];
    expect(call).toMatchObject({
      id: 'b817d2618fe6f1804333',
      extension: '0003*210',
      ownerId: '3',
      ownerName: 'Default Organization',
      links: { self: `${sb.url}${CALL}` },
    });
    expect(call.published).toMatch(ISO);
    expect(call.answered).toMatch(ISO);
    expect(call.phoneCallView).toEqual([
      {
        id: '01',
        extension: '0003*210',
        answered: call.answered,
        status: '5',
        callerId: 'John Doe <3333>',
        source: ['0003*210'],
        destination: ['0003*024'],
        flow: 2,
      },
    ]);
  });

  it('lists every call of an extension, oldest first, and 204 when there is none', async () => {
    const r = await api('GET', '/uapi/phoneCalls/@me/0003*210');
    expect(r.status).toBe(200);
    expect(r.json.entry.map((c: any) => c.id)).toEqual(['b817d2618fe6f1804333', 'c0ffee0011223344aabb']);
    const parked = r.json.entry[1].phoneCallView[0];
    expect(parked).toMatchObject({ parkedPos: 1, parkedBy: '0003*210', source: ['5551234'], flow: 8 });
    const none = await api('GET', '/uapi/phoneCalls/14/0003*025', undefined, sb.issueToken('14').accessToken);
    expect(none.status).toBe(204);
  });

  it('@self lists the calls of all extensions of the user, with per-call links', async () => {
    const r = await api('GET', '/uapi/phoneCalls/@me/@self');
    expect(r.json.entry.map((c: any) => c.id).sort()).toEqual(['a3c9e27f01b4d5e6f789', 'b817d2618fe6f1804333', 'c0ffee0011223344aabb']);
    const queue = r.json.entry.find((c: any) => c.id === 'a3c9e27f01b4d5e6f789');
    expect(queue.links.self).toBe(`${sb.url}/uapi/phoneCalls/@me/0003*300/a3c9e27f01b4d5e6f789`);
    expect(queue.phoneCallView).toHaveLength(2);
  });

  it('accepts a trailing slash, %2A for *, the short extension form and the /unifiedapi/ prefix', async () => {
    for (const path of [
      `${CALL}/`,
      '/uapi/phoneCalls/12/0003%2A210/b817d2618fe6f1804333',
      '/uapi/phoneCalls/12/0003%2a210/b817d2618fe6f1804333/',
      '/uapi/phoneCalls/12/210/b817d2618fe6f1804333',
      '/unifiedapi/phoneCalls/12/0003*210/b817d2618fe6f1804333',
      '//uapi/phoneCalls/12/0003*210/b817d2618fe6f1804333',
    ]) {
      const r = await getCall(path);
      expect(r.status, path).toBe(200);
      expect(r.json.entry[0].id).toBe('b817d2618fe6f1804333');
    }
    expect(sb.requests.at(-6)?.path).toBe(CALL);
  });

  it('pages with count and startIndex', async () => {
    const r = await api('GET', '/uapi/phoneCalls/@me/@self?count=1&startIndex=1');
    expect(r.json.entry).toHaveLength(1);
    expectError(await api('GET', '/uapi/phoneCalls/@me/@self?count=0'), 400, 'count_invalid');
    expectError(await api('GET', '/uapi/phoneCalls/@me/@self?startIndex=x'), 400, 'startindex_invalid');
  });

  it('records each request with its path, query, user and status', async () => {
    await api('GET', '/uapi/phoneCalls/@me/0003%2A210?count=5');
    expect(sb.requests.at(-1)).toEqual({
      method: 'GET',
      path: '/uapi/phoneCalls/@me/0003*210',
      query: { count: '5' },
      userId: '12',
      body: undefined,
      status: 200,
    });
  });
});

describe('seed page examples', () => {
  it('OnHold (page 000): 202 with the call link, then onHold + holder 1, status stays 5', async () => {
    const r = await api(
      'PUT',
      CALL,
      `{
  "action": "OnHold",
  "phoneCallViewId": "01"
}`,
    );
    expect(r.status).toBe(202);
    // The page shows `https://x.x.x.x//uapi/…`, and so does the sandbox (option pageLinks, default on).
    expect(r.json).toEqual({
      id: 'b817d2618fe6f1804333',
      extension: '0003*210',
      link: { self: `${sb.url}//uapi/phoneCalls/12/0003*210/b817d2618fe6f1804333` },
    });
    const view = views(await getCall(r.json.link.self))[0];
    expect(view).toMatchObject({ id: '01', extension: '0003*210', status: '5', holder: 1, source: ['0003*210'], destination: ['0003*024'] });
    expect(view.onHold).toMatch(ISO);
  });

  it('OffHold (page 001): removes onHold and holder', async () => {
    expect((await api('PUT', CALL, { action: 'OnHold', phoneCallViewId: '01' })).status).toBe(202);
    // The page's example says /uapi/phoneCall/ (singular); the model says /uapi/phoneCalls/.
    const r = await api(
      'PUT',
      CALL,
      `{
  "action": "OffHold",
  "phoneCallViewId": "01"
}`,
    );
    expect(r.status).toBe(202);
    expect(r.json.link.self).toBe(`${sb.url}/${CALL}`);
    const view = views(await getCall())[0];
    expect(view.status).toBe('5');
    expect(view).not.toHaveProperty('onHold');
    expect(view).not.toHaveProperty('holder');
  });

  it('the singular /uapi/phoneCall/ of the OffHold example is not a route', async () => {
    expectError(await api('PUT', '/uapi/phoneCall/12/0003*210/b817d2618fe6f1804333', { action: 'OffHold', phoneCallViewId: '01' }), 501, 'request_not_implemented');
  });

  it('UnPark (page 002): rings 0003*024, then connects it with the parked 0003*210', async () => {
    // The ring is answered by hand below, so the ringing state is there to read whatever the machine's load.
    sb.world.pickupDelayMs = 3_600_000;
    onTestFinished(() => {
      sb.world.pickupDelayMs = 50;
    });
    const park = await api('PUT', CALL, { action: 'Park', phoneCallViewId: '01' });
    expect(park.status).toBe(202);
    const parked = views(await getCall())[0];
    expect(parked).toMatchObject({ parkedPos: 2, parkedBy: '0003*210' }); // position 1 holds the seeded parked call
    expect(parked.parked).toMatch(ISO);

    const r = await api(
      'PUT',
      CALL,
      `{
  "action": "UnPark",
  "sendCallTo": "0003*024",
  "callerId": "John Doe <42420042>",
  "waitForPickup": "20",
  "phoneCallViewId": "01"
}`,
    );
    expect(r.status).toBe(202);
    expect(r.json).toEqual({ id: 'b817d2618fe6f1804333', extension: '0003*210', link: { self: `${sb.url}/${CALL}` } });
    const ringing = views(await getCall())[0];
    expect(ringing.status).toBe('3');
    expect(ringing.ringing).toMatch(ISO);

    // 0003*024 picks up now (a desk answer), however long this process took to read the ringing state.
    expect((await fetch(`${sb.url}/_sandbox/calls/b817d2618fe6f1804333/answer`, { method: 'POST', body: '{}' })).status).toBe(200);
    const done = await until(getCall, (g) => views(g)[0].status === '5');
    const view = views(done)[0];
    expect(view).toMatchObject({
      id: '01',
      extension: '0003*024',
      status: '5',
      callerId: 'John Doe <42420042>',
      source: ['0003*024'],
      destination: ['0003*210'],
    });
    for (const k of ['parked', 'parkedPos', 'parkedBy', 'ringing']) expect(view).not.toHaveProperty(k);
    expect(done.json.entry[0]).toMatchObject({ id: 'b817d2618fe6f1804333', extension: '0003*210', ownerId: '3' });
  });

  it('UnPark of the seeded parked call connects the parked caller to sendCallTo', async () => {
    const path = '/uapi/phoneCalls/@me/0003*210/c0ffee0011223344aabb';
    const r = await api('PUT', path, { action: 'UnPark', sendCallTo: '0003*025', phoneCallViewId: '01' });
    expect(r.status).toBe(202);
    const done = await until(
      () => getCall(path),
      (g) => views(g)[0].status === '5' && !views(g)[0].parked,
    );
    expect(views(done)[0]).toMatchObject({
      extension: '0003*025',
      source: ['0003*025'],
      destination: ['5551234'],
      callerId: 'Bob Smith <3335555>',
      flow: 4,
    });
  });

  it('Whisper (page 004): rings 0003*024, then view 02 appears as on the page', async () => {
    // The page's body is not JSON ('action", "0003*024*) and its URI id 444444 does not exist.
    const body = `{
"action":"Whisper",
"sendCallTo":"0003*024",
"private":0,
"callerId":"Whisper To Me <42420042>",
"waitForPickup":"20",
"phoneCallViewId":"01"
}`;
    expectError(await api('PUT', '/uapi/phoneCalls/12/0003*210/444444', body), 400, 'pc_phonecall_invalid');
    const r = await api('PUT', CALL, body);
    expect(r.status).toBe(202);
    expect(r.json).toEqual({ id: 'b817d2618fe6f1804333', extension: '0003*210', link: { self: `${sb.url}/${CALL}` } });

    // "Once the connection is made, the 02 phoneCallView is created": never a ringing view 02
    // (sandbox.fidelity.test.ts checks that it is absent while 0003*024 rings).
    const before = views(await getCall());
    expect(before.map((v: any) => v.status)).not.toContain('3');

    const after = views(await until(getCall, (g) => views(g)[1]?.status === '5'));
    expect(after[0]).toEqual(before[0]);
    expect(after[1]).toEqual({
      id: '02',
      extension: '0003*210',
      answered: after[1].answered,
      status: '5',
      callerId: 'Whisper To Me <42420042>',
      source: ['0003*024'],
      destination: ['0003*210'],
      flow: 2,
    });
    expect(after[1].answered).toMatch(ISO);
  });

  it('accepts the body whatever the Content-Type (the pages write "Content Type:")', async () => {
    const res = await fetch(sb.url + CALL, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' },
      body: '{"action":"OnHold","phoneCallViewId":"01"}',
    });
    expect(res.status).toBe(202);
  });
});

describe('other actions', () => {
  it('Monitor and BargeIn add views 02 and 03', async () => {
    expect((await api('PUT', CALL, { action: 'Monitor', sendCallTo: '0003*025', phoneCallViewId: '01' })).status).toBe(202);
    expect((await api('PUT', CALL, { action: 'BargeIn', sendCallTo: '025', phoneCallViewId: 1, waitForPickup: 5 })).status).toBe(202);
    const v = views(await until(getCall, (g) => views(g).length === 3 && views(g).every((x) => x.status === '5')));
    expect(v.map((x) => [x.id, x.source[0], x.destination[0], x.extension])).toEqual([
      ['01', '0003*210', '0003*024', '0003*210'],
      ['02', '0003*025', '0003*210', '0003*210'],
      ['03', '0003*025', '0003*210', '0003*210'],
    ]);
    expect(v[1].callerId).toBe('Bob Smith <3335555>'); // default: the caller id of the Phone Terminal
  });

  it('a whisper to a phone that never answers is cancelled after waitForPickup', async () => {
    // Taken before the request: the ring's 1 s start after it (long enough that the ring is still there when the answer is read), so however late this process runs, at least that much passes.
    const started = Date.now();
    const r = await api('PUT', CALL, { action: 'Whisper', sendCallTo: '0003*026', phoneCallViewId: '01', waitForPickup: '1' });
    expect(r.status).toBe(202);
    expect(sb.world.pendingRings('b817d2618fe6f1804333')).toHaveLength(1);
    await until(
      async () => ({ status: sb.world.pendingRings('b817d2618fe6f1804333').length, json: undefined, headers: new Headers() }),
      (g) => g.status === 0,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(views(await getCall())).toHaveLength(1);
  });

  it('an UnPark nobody answers leaves the call parked', async () => {
    const path = '/uapi/phoneCalls/@me/0003*210/c0ffee0011223344aabb';
    await api('PUT', path, { action: 'UnPark', sendCallTo: '0003*026', phoneCallViewId: '01', waitForPickup: 1 });
    // Read within the second the ring lasts (taken long enough that a loaded machine still reads it ringing).
    expect(views(await getCall(path))[0].status).toBe('3');
    const v = views(
      await until(
        () => getCall(path),
        (g) => views(g)[0].status === '5',
      ),
    )[0];
    expect(v).toMatchObject({ parkedPos: 1, extension: '0003*210', source: ['5551234'] });
    expect(v).not.toHaveProperty('ringing');
  });

  it('Transfer replaces the party by an extension or a public number', async () => {
    await api('PUT', CALL, { action: 'Transfer', sendCallTo: '0003*025', phoneCallViewId: '01' });
    let v = views(await until(getCall, (g) => views(g)[0].status === '5' && views(g)[0].extension === '0003*025'))[0];
    expect(v).toMatchObject({ source: ['0003*025'], destination: ['0003*024'], flow: 2 });

    sb.reset();
    await api('PUT', CALL, { action: 'Transfer', sendCallTo: '+15551234567', phoneCallViewId: '01' });
    v = views(await until(getCall, (g) => views(g)[0].status === '5' && views(g)[0].source[0] !== '0003*210'))[0];
    expect(v).toMatchObject({ extension: '0003*024', source: ['+15551234567'], destination: ['0003*024'], flow: 8 });
  });

  it('Park validates maxInParking (10..3600)', async () => {
    expectError(await api('PUT', CALL, { action: 'Park', phoneCallViewId: '01', maxInParking: '5' }), 400, 'pc_maxinparking_invalid');
    expect((await api('PUT', CALL, { action: 'Park', phoneCallViewId: '01', maxInParking: '30' })).status).toBe(202);
  });

  it('StartRecording / StopRecording set and clear recording', async () => {
    await api('PUT', CALL, { action: 'StartRecording', phoneCallViewId: '01', format: 'wav49' });
    expect(views(await getCall())[0].recording).toMatch(ISO);
    await api('PUT', CALL, { action: 'StopRecording', phoneCallViewId: '01' });
    expect(views(await getCall())[0]).not.toHaveProperty('recording');
    expectError(await api('PUT', CALL, { action: 'StartRecording', phoneCallViewId: '01', format: 'mp3' }), 400, 'pc_format_invalid');
  });

  it('PickUp moves a ringing call to sendCallTo', async () => {
    const org = sb.issueToken('3').accessToken;
    const created = await fetch(`${sb.url}/_sandbox/calls`, { method: 'POST', body: JSON.stringify({ to: '0003*026', from: '5550123' }) });
    const id = ((await created.json()) as { id: string }).id;
    const path = `/uapi/phoneCalls/@me/0003*026/${id}`;
    expect(views(await getCall(path, org))[0].status).toBe('3');
    expectError(await api('PUT', CALL, { action: 'PickUp', sendCallTo: '0003*025', phoneCallViewId: '01' }), 400, 'pc_phonecallview_invalid');
    expect((await api('PUT', path, { action: 'PickUp', sendCallTo: '0003*025', phoneCallViewId: '01' }, org)).status).toBe(202);
    const v = views(
      await until(
        () => getCall(`/uapi/phoneCalls/@me/0003*025/${id}`, org),
        (g) => g.status === 200 && views(g)[0].status === '5',
      ),
    )[0];
    expect(v).toMatchObject({ extension: '0003*025', source: ['5550123'], destination: ['0003*025'] });
  });
});

describe('Create and Delete PhoneCalls', () => {
  it('POST simple creates a call that rings, then is answered', async () => {
    const r = await api('POST', '/uapi/phoneCalls/@me/simple', {
      extension: '0003*210',
      nonce: 'n-1',
      phoneCallView: [{ source: ['0003*210'], destination: ['0003*025'], callerId: 'John Doe <3333>' }],
    });
    expect(r.status).toBe(200);
    const call = r.json[0];
    expect(call.id).toMatch(/^[0-9a-f]{20}$/);
    expect(call).toMatchObject({ nonce: 'n-1', extension: '0003*210', ownerId: '3' });
    expect(call.phoneCallView[0]).toMatchObject({ status: '3', source: ['0003*210'], destination: ['0003*025'], flow: 2 });
    const done = await until(
      () => getCall(call.links.self),
      (g) => views(g)[0].status === '5',
    );
    expect(done.json.entry[0].answered).toMatch(ISO);
  });

  it('POST simple validates its body and cancels an unanswered call', async () => {
    expectError(await api('POST', '/uapi/phoneCalls/@me/simple', { extension: '0003*024', phoneCallView: [{ destination: ['0003*025'] }] }), 400, 'pc_extension_invalid');
    expectError(await api('POST', '/uapi/phoneCalls/@me/simple', { extension: '0003*210', phoneCallView: [{}] }), 400, 'pc_destination_invalid');
    expectError(await api('POST', '/uapi/phoneCalls/@me/simple?waitForPickup=0', { extension: '0003*210', phoneCallView: [{ destination: '0003*025' }] }), 400, 'pc_timeout_invalid');
    const r = await api('POST', '/uapi/phoneCalls/@me/simple?waitForPickup=0.2', { extension: '210', phoneCallView: [{ destination: '0003*026' }] });
    expect(r.status).toBe(200);
    await until(
      () => getCall(r.json[0].links.self),
      (g) => g.status === 204,
    );
  });

  it('DELETE hangs up one call (200 [{id}]) and then has nothing to hang up (204)', async () => {
    const r = await api('DELETE', CALL);
    expect(r.status).toBe(200);
    expect(r.json).toEqual([{ id: 'b817d2618fe6f1804333' }]);
    expect((await getCall()).status).toBe(204);
    expect((await api('DELETE', CALL)).status).toBe(204);
  });

  it('DELETE without phoneCallId hangs up every call of the extension, honouring phoneNumber', async () => {
    expect((await api('DELETE', '/uapi/phoneCalls/@me/0003*210?phoneNumber=9999')).status).toBe(204);
    const r = await api('DELETE', '/uapi/phoneCalls/@me/0003*210');
    expect(r.json.map((x: any) => x.id).sort()).toEqual(['b817d2618fe6f1804333', 'c0ffee0011223344aabb']);
    expect((await api('GET', '/uapi/phoneCalls/@me/0003*210')).status).toBe(204);
  });
});

describe('who may act', () => {
  it('userId: @me, @viewer, own id; garbage → user_invalid; someone else → access_denied', async () => {
    expect((await getCall('/uapi/phoneCalls/@viewer/0003*210/b817d2618fe6f1804333')).status).toBe(200);
    expectError(await getCall('/uapi/phoneCalls/john/0003*210'), 400, 'user_invalid');
    expectError(await getCall('/uapi/phoneCalls/13/0003*024'), 401, 'access_denied');
    expectError(await getCall('/uapi/phoneCalls/@owner/0003*024'), 401, 'access_denied');
    expectError(await getCall('/uapi/phoneCalls/@me/0003*024'), 401, 'access_denied');
    expectError(await api('PUT', '/uapi/phoneCalls/@me/0003*024/b817d2618fe6f1804333', { action: 'OnHold', phoneCallViewId: '01' }), 401, 'access_denied');
  });

  it('the Organization account (user 3) may address other users and extensions', async () => {
    const org = sb.issueToken('3').accessToken;
    const r = await getCall('/uapi/phoneCalls/13/0003*024', org);
    expect(r.json.entry.map((c: any) => c.id)).toEqual(['b817d2618fe6f1804333', 'a3c9e27f01b4d5e6f789']);
    const owner = await getCall('/uapi/phoneCalls/@owner/0003*024/b817d2618fe6f1804333', org);
    expect(owner.json.entry[0].links.self).toBe(`${sb.url}/uapi/phoneCalls/@owner/0003*024/b817d2618fe6f1804333`);
    expect((await api('PUT', '/uapi/phoneCalls/12/0003*210/b817d2618fe6f1804333', { action: 'OnHold', phoneCallViewId: '01' }, org)).status).toBe(202);
    expectError(await getCall('/uapi/phoneCalls/99/0003*024', org), 400, 'user_invalid');
    expectError(await getCall('/uapi/phoneCalls/41/0004*100', org), 401, 'access_denied');
  });

  it('unknown or malformed extension → extension_invalid', async () => {
    expectError(await getCall('/uapi/phoneCalls/@me/0003*999'), 400, 'extension_invalid');
    expectError(await getCall('/uapi/phoneCalls/@me/foo'), 400, 'extension_invalid');
  });

  it('a call is reachable only through an extension taking part in it', async () => {
    const bob = sb.issueToken('14').accessToken;
    expectError(await api('PUT', '/uapi/phoneCalls/14/0003*025/b817d2618fe6f1804333', { action: 'OnHold', phoneCallViewId: '01' }, bob), 400, 'pc_phonecall_invalid');
    const jane = sb.issueToken('13').accessToken;
    const r = await api('PUT', '/uapi/phoneCalls/@me/@self/a3c9e27f01b4d5e6f789', { action: 'Whisper', sendCallTo: '0003*025', phoneCallViewId: '02' }, jane);
    expect(r.status).toBe(202);
    expect(r.json.link.self).toBe(`${sb.url}//uapi/phoneCalls/@me/0003*024/a3c9e27f01b4d5e6f789`);
  });
});

describe('documented error codes', () => {
  const put = (body: unknown, path = CALL) => api('PUT', path, body);
  const ring = { action: 'Whisper', sendCallTo: '0003*024', phoneCallViewId: '01' };

  it.each([
    ['unknown phoneCallId', 'pc_phonecall_invalid', `/uapi/phoneCalls/12/0003*210/ffffffffffffffffffff`, { action: 'OnHold', phoneCallViewId: '01' }],
    ['non alpha-numeric phoneCallId', 'pc_phonecall_invalid', `/uapi/phoneCalls/12/0003*210/b817-d261`, { action: 'OnHold', phoneCallViewId: '01' }],
    ['missing phoneCallViewId', 'pc_phonecallview_invalid', CALL, { action: 'OnHold' }],
    ['phoneCallViewId of no view', 'pc_phonecallview_invalid', CALL, { action: 'OffHold', phoneCallViewId: '09' }],
    ['UnPark of a view that is not parked', 'pc_phonecallview_invalid', CALL, { action: 'UnPark', sendCallTo: '0003*024', phoneCallViewId: '01' }],
    ['waitForPickup 0', 'pc_timeout_invalid', CALL, { ...ring, waitForPickup: '0' }],
    ['waitForPickup negative', 'pc_timeout_invalid', CALL, { ...ring, waitForPickup: -5 }],
    ['waitForPickup not numeric', 'pc_timeout_invalid', CALL, { ...ring, waitForPickup: '20s' }],
    ['callerId without <number>', 'pc_callerid_invalid', CALL, { ...ring, callerId: 'John Doe' }],
    ['callerId with letters in <>', 'pc_callerid_invalid', CALL, { ...ring, callerId: 'John Doe <abc>' }],
    ['callerId not a string', 'pc_callerid_invalid', CALL, { ...ring, callerId: 42 }],
    ['private 2', 'pc_private_invalid', CALL, { ...ring, private: 2 }],
    ['private "yes"', 'pc_private_invalid', CALL, { ...ring, private: 'yes' }],
    ['sendCallTo missing', 'pc_sendcallto_invalid', CALL, { action: 'Whisper', phoneCallViewId: '01' }],
    ['sendCallTo not a Phone Terminal', 'pc_sendcallto_invalid', CALL, { ...ring, sendCallTo: '0003*300' }],
    ['sendCallTo in another organization', 'pc_sendcallto_invalid', CALL, { ...ring, sendCallTo: '0004*100' }],
    ['sendCallTo unknown', 'pc_sendcallto_invalid', CALL, { ...ring, sendCallTo: '0003*999' }],
    ['UnPark sendCallTo unknown', 'pc_sendcallto_invalid', '/uapi/phoneCalls/12/0003*210/c0ffee0011223344aabb', { action: 'UnPark', sendCallTo: '7777', phoneCallViewId: '01' }],
    ['Transfer sendCallTo garbage', 'pc_sendcallto_invalid', CALL, { action: 'Transfer', sendCallTo: 'nobody', phoneCallViewId: '01' }],
    ['unknown action (invented code)', 'pc_action_invalid', CALL, { action: 'Dance', phoneCallViewId: '01' }],
    ['missing action', 'pc_action_invalid', CALL, { phoneCallViewId: '01' }],
    ['JSON that is not an object', 'request_invalid', CALL, '[1,2]'],
    ['malformed JSON', 'request_invalid', CALL, '{"action": "OnHold", '],
  ])('%s → %s', async (_name, code, path, body) => {
    expectError(await put(body, path), 400, code);
  });

  it('a rejected action changes nothing', async () => {
    const before = (await getCall()).json;
    await put({ ...ring, callerId: 'bad' });
    expect((await getCall()).json).toEqual(before);
  });
});
