/**
 * Sandbox fidelity to 4PSA's pages (uapi-reference.md, beside the seed pages; the cases quote what they need), each case
 * built from the page it follows, sent as raw HTTP (no client of ours).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rawRequest, expectUapiError, type RawResponse } from './helpers/raw-uapi.js';
import { startSandbox, SEED_IDS, type Sandbox } from '../src/sandbox/server.js';
import { waitUntil } from './helpers/wait.js';

let sb: Sandbox;
let john: string; // user 12, owner of 0003*210 and queue 0003*300
const CALL_ID = SEED_IDS.seedCall;
const CALL = `/uapi/phoneCalls/12/0003*210/${CALL_ID}`;
const EVENTS = '/uapi/extensions/@me/0003*210/phoneCallEvents';

const api = (method: string, path: string, body?: unknown, tok: string = john): Promise<RawResponse> => rawRequest(sb.url, method, path, body, tok);

async function until(fn: () => Promise<RawResponse>, ok: (r: RawResponse) => boolean, ms = 10_000): Promise<RawResponse> {
  let last: RawResponse | undefined;
  return waitUntil(
    'a sandbox answer meeting the condition',
    async () => {
      last = await fn();
      return ok(last) ? last : undefined;
    },
    ms,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last answer ${last?.status} ${JSON.stringify(last?.json)}`);
  });
}
const views = (r: RawResponse): any[] => r.json.entry[0].phoneCallView;
const getCall = (path = CALL) => api('GET', path);

beforeAll(async () => {
  // Rung phones answer after 500 ms: long enough to see the call while they ring, even on a busy machine.
  sb = await startSandbox({ pickupDelayMs: 500, parkingSecondMs: 5 });
  john = sb.issueToken('12').accessToken;
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

describe('Transfer and TransferToVoicemail without phoneCallViewId (Transfer page example)', () => {
  it('answers 202 to the page body and puts 3334444 where 0003*024 was', async () => {
    const r = await api('PUT', CALL, { action: 'Transfer', sendCallTo: '3334444', transferFromNumber: '0003*024', transferNumber: '0003*210' });
    expect(r.status).toBe(202);
    const v = views(await until(getCall, (g) => views(g)[0].destination[0] === '3334444' && views(g)[0].status === '5'))[0];
    expect(v).toMatchObject({ id: '01', extension: '0003*210', source: ['0003*210'], destination: ['3334444'], flow: 4 });
  });

  it('TransferToVoicemail without a view sends the other party to the mailbox', async () => {
    const r = await api('PUT', CALL, { action: 'TransferToVoicemail', sendCallTo: '0003*024', transferNumber: '0003*210' });
    expect(r.status).toBe(202);
    expect(views(await getCall())[0]).toMatchObject({ extension: '0003*024', source: ['0003*210'], destination: ['0003*024'], status: '5' });
  });

  it('a phoneCallViewId that is given must still exist', async () => {
    expectUapiError(await api('PUT', CALL, { action: 'Transfer', sendCallTo: '3334444', phoneCallViewId: '07' }), 400, 'pc_phonecallview_invalid');
  });
});

describe('a PUT without phoneCallId acts on every call of the extension (OnHold and UnPark pages)', () => {
  it('OnHold holds each call of 0003*210 and answers one short answer per call', async () => {
    const r = await api('PUT', '/uapi/phoneCalls/12/0003*210', { action: 'OnHold' });
    expect(r.status).toBe(202);
    expect(r.json.map((a: any) => a.id).sort()).toEqual([SEED_IDS.parkedCall, CALL_ID].sort());
    for (const a of r.json) expect(a.link.self).toBe(`${sb.url}//uapi/phoneCalls/12/0003*210/${a.id}`);
    for (const id of [CALL_ID, SEED_IDS.parkedCall]) {
      expect(views(await getCall(`/uapi/phoneCalls/12/0003*210/${id}`))[0].holder).toBe(1);
    }
  });

  it('UnPark acts on the parked calls only', async () => {
    const r = await api('PUT', '/uapi/phoneCalls/@me/0003*210/', { action: 'UnPark', sendCallTo: '0003*025', phoneCallViewId: '01' });
    expect(r.status).toBe(202);
    expect(r.json.map((a: any) => a.id)).toEqual([SEED_IDS.parkedCall]);
    const done = await until(
      () => getCall(`/uapi/phoneCalls/@me/0003*210/${SEED_IDS.parkedCall}`),
      (g) => views(g)[0].status === '5' && !views(g)[0].parked,
    );
    expect(views(done)[0]).toMatchObject({ extension: '0003*025', destination: ['5551234'] });
  });

  it('answers the error when the action fits no call, 204 when there is no call', async () => {
    expectUapiError(await api('PUT', '/uapi/phoneCalls/12/0003*210', { action: 'Dance' }), 400, 'pc_action_invalid');
    const bob = sb.issueToken('14').accessToken;
    expect((await api('PUT', '/uapi/phoneCalls/@me/0003*025', { action: 'OnHold' }, bob)).status).toBe(204);
  });
});

describe('Whisper, Listen and Barge in create their view once the connection is made', () => {
  it.each(['Whisper', 'Monitor', 'BargeIn'])('%s: no view while 0003*024 rings, view 02 once it answers', async (action) => {
    expect((await api('PUT', CALL, { action, sendCallTo: '0003*024', phoneCallViewId: '01' })).status).toBe(202);
    expect(views(await getCall())).toHaveLength(1);
    expect(sb.world.pendingRings(CALL_ID)).toHaveLength(1);
    const v = views(await until(getCall, (g) => views(g).length === 2))[1];
    expect(v).toMatchObject({ id: '02', extension: '0003*210', status: '5', source: ['0003*024'], destination: ['0003*210'] });
    expect(v).not.toHaveProperty('ringing');
  });
});

describe('parking runs out', () => {
  it('a parked call whose maxInParking runs out rings back the extension that parked it', async () => {
    expect((await api('PUT', CALL, { action: 'Park', phoneCallViewId: '01', maxInParking: '10' })).status).toBe(202);
    // 10 "seconds" of 5 ms each: the lot gives the call back and 0003*210 rings, then talks to 0003*024 again.
    const back = views(await until(getCall, (g) => views(g)[0].parked === undefined && views(g)[0].status === '5'))[0];
    expect(back).toMatchObject({ extension: '0003*210', source: ['0003*210'], destination: ['0003*024'] });
    for (const k of ['parked', 'parkedPos', 'parkedBy', 'ringing']) expect(back).not.toHaveProperty(k);
  });
});

describe('List parameters (List PhoneCalls / List PhoneCallEvents pages)', () => {
  const list = (q: string) => api('GET', `/uapi/phoneCalls/@me/@self?${q}`);
  const ids = (r: RawResponse) => r.json.entry.map((c: any) => c.id);

  it('orders by publish time, ascending by default or descending', async () => {
    const asc = ids(await list('count=10'));
    expect(asc).toEqual([SEED_IDS.seedCall, SEED_IDS.queueCall, SEED_IDS.parkedCall]);
    expect(ids(await list('sortOrder=descending'))).toEqual([...asc].reverse());
  });

  it('filters by id and published with each operator', async () => {
    expect(ids(await list(`filterBy=id&filterOp=equals&filterValue=${SEED_IDS.queueCall}`))).toEqual([SEED_IDS.queueCall]);
    expect(ids(await list(`filterBy=id&filterValue=${SEED_IDS.queueCall}`))).toEqual([SEED_IDS.queueCall]);
    expect(ids(await list('filterBy=id&filterOp=startsWith&filterValue=c0ffee'))).toEqual([SEED_IDS.parkedCall]);
    expect(ids(await list('filterBy=id&filterOp=contains&filterValue=e27f'))).toEqual([SEED_IDS.queueCall]);
    expect(ids(await list(`filterBy=id&filterOp=inArray&filterValue=${SEED_IDS.seedCall},${SEED_IDS.parkedCall}`))).toEqual([SEED_IDS.seedCall, SEED_IDS.parkedCall]);
    const queued = sb.world.calls.get(SEED_IDS.queueCall)!.published;
    expect(ids(await list(`filterBy=published&filterOp=greaterThan&filterValue=${encodeURIComponent(queued)}`))).toEqual([SEED_IDS.parkedCall]);
    expect(ids(await list(`filterBy=published&filterOp=lessThan&filterValue=${encodeURIComponent(queued)}`))).toEqual([SEED_IDS.seedCall]);
    expect(ids(await list('filterBy=published&filterOp=present'))).toHaveLength(3);
    expect((await list('filterBy=id&filterValue=nothere')).status).toBe(204);
  });

  it('returns only the fields asked for (and the id and link)', async () => {
    const r = await list('fields=published,extension&count=1');
    expect(Object.keys(r.json.entry[0]).sort()).toEqual(['extension', 'id', 'link', 'links', 'published']);
  });

  it('pages with count and startIndex', async () => {
    expect(ids(await list('count=1&startIndex=2'))).toEqual([SEED_IDS.parkedCall]);
  });

  it.each([
    ['filterBy=ownerName&filterValue=x', 'filterby_invalid'],
    ['filterValue=x', 'filterby_invalid'],
    ['filterBy=id&filterOp=like&filterValue=x', 'filterop_invalid'],
    ['filterBy=id&filterOp=equals', 'filtervalue_invalid'],
    ['filterBy=published&filterOp=greaterThan&filterValue=yesterday', 'filtervalue_invalid'],
    ['sortOrder=up', 'sortorder_invalid'],
    ['fields=id,colour', 'fields_invalid'],
    ['fields=', 'fields_invalid'],
    ['count=5001', 'count_invalid'],
    ['startIndex=-1', 'startindex_invalid'],
  ])('phone calls: %s → %s', async (q, code) => {
    expectUapiError(await list(q), 400, code);
  });

  it('PhoneCallEvents: filter by any field, order by url, fields', async () => {
    await api('POST', EVENTS, { type: 2, url: 'http://a.example/hangup', note: 'first' });
    await api('POST', EVENTS, { type: 2, url: 'http://z.example/hangup', note: 'last' });
    const byType = await api('GET', `${EVENTS}?filterBy=type&filterValue=2&sortOrder=descending`);
    expect(byType.json.entry.map((e: any) => e.url)).toEqual(['http://z.example/hangup', 'http://a.example/hangup']);
    const notes = await api('GET', `${EVENTS}?filterBy=note&filterOp=present&fields=note`);
    // The seeded NqeyDRqo… event has a note too; MyPhoneCallEvent has none.
    expect(notes.json.entry.map((e: any) => Object.keys(e).sort())).toEqual([
      ['id', 'links', 'note'],
      ['id', 'links', 'note'],
      ['id', 'links', 'note'],
    ]);
    const a = await api('GET', `${EVENTS}?filterBy=url&filterOp=startsWith&filterValue=http://a.`);
    expect(a.json.entry.map((e: any) => e.note)).toEqual(['first']);
    expectUapiError(await api('GET', `${EVENTS}?filterBy=colour&filterValue=x`), 400, 'filterby_invalid');
    expectUapiError(await api('GET', `${EVENTS}?sortOrder=sideways`), 400, 'sortorder_invalid');
    expectUapiError(await api('GET', `${EVENTS}?fields=colour`), 400, 'fields_invalid');
    expectUapiError(await api('GET', `${EVENTS}?count=0`), 400, 'count_invalid');
  });
});

describe('PhoneCallEvent ids and access (Update PhoneCallEvents page)', () => {
  it('MyPhoneCallEvent, the id of the Model example, answers the example request as the page shows', async () => {
    const r = await api(
      'PUT',
      '/uapi/extensions/@me/0003*210/phoneCallEvents/0/MyPhoneCallEvent',
      `{
  "method": "1",
  "note": "I want to use POST for my event"
}`,
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ type: '0', id: 'MyPhoneCallEvent', method: '1', note: 'I want to use POST for my event', status: '1' });
    expect(r.json.links.self).toBe(`${sb.url}${EVENTS}/0/MyPhoneCallEvent`);
  });

  it('generated ids are 32 alpha-numeric characters; an id the client gives is checked against that rule', async () => {
    const made = await api('POST', `${EVENTS}/1`, { url: 'http://hooks.example/out' });
    expect(made.json.id).toMatch(/^[A-Za-z0-9]{32}$/);
    expectUapiError(await api('POST', `${EVENTS}/1`, { id: 'short1', url: 'http://hooks.example/out' }), 400, 'pce_id_invalid');
    expectUapiError(await api('POST', `${EVENTS}/1`, { id: `${'x'.repeat(31)}!`, url: 'http://hooks.example/out' }), 400, 'pce_id_invalid');
    const own = 'A'.repeat(16) + '0'.repeat(16);
    expect((await api('POST', `${EVENTS}/1`, { id: own, url: 'http://hooks.example/out' })).json.id).toBe(own);
  });

  it("another user's extension answers pce_access_denied, the code the page names", async () => {
    expectUapiError(await api('PUT', '/uapi/extensions/@me/0003*024/phoneCallEvents/0/MyPhoneCallEvent', { note: 'x' }), 400, 'pce_access_denied');
    expectUapiError(await api('GET', '/uapi/extensions/13/0003*024/phoneCallEvents'), 400, 'pce_access_denied');
  });
});

describe('links', () => {
  it('are built from the scheme and host the client used, so they stay right behind a TLS proxy', async () => {
    const headers = { Authorization: `Bearer ${john}`, 'Content-Type': 'application/json', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'pbx.example.com' };
    const put = await fetch(sb.url + CALL, { method: 'PUT', headers, body: JSON.stringify({ action: 'OnHold', phoneCallViewId: '01' }) });
    expect(((await put.json()) as any).link.self).toBe(`https://pbx.example.com//uapi/phoneCalls/12/0003*210/${CALL_ID}`);
    const get = await fetch(sb.url + CALL, { headers });
    expect(((await get.json()) as any).entry[0].links.self).toBe(`https://pbx.example.com/uapi/phoneCalls/12/0003*210/${CALL_ID}`);
    const plain = await fetch(sb.url + CALL, { headers: { Authorization: `Bearer ${john}`, 'X-Forwarded-Proto': 'gopher' } });
    expect(((await plain.json()) as any).entry[0].links.self).toBe(`${sb.url}${CALL}`);
  });

  it('pageLinks: false gives single-slash action links', async () => {
    const clean = await startSandbox({ pickupDelayMs: 40, pageLinks: false });
    try {
      const r = await rawRequest(clean.url, 'PUT', CALL, { action: 'OnHold', phoneCallViewId: '01' }, clean.issueToken('12').accessToken);
      expect(r.json.link.self).toBe(`${clean.url}${CALL}`);
    } finally {
      await clean.close();
    }
  });
});
