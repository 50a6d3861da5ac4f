/**
 * Sandbox PBX, PhoneCallEvents: the Update page's example, CRUD, error codes,
 * and Call Events delivered to a local HTTP server (GET query / POST form).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rawRequest, expectUapiError, type RawResponse } from './helpers/raw-uapi.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { waitUntil } from './helpers/wait.js';

let sb: Sandbox;
let token: string; // user 12, owner of 0003*210 and queue 0003*300
let bob: string; // user 14, owner of 0003*025

type Res = RawResponse;

const api = (method: string, path: string, body?: unknown, tok: string = token): Promise<Res> => rawRequest(sb.url, method, path, body, tok);

const expectError = expectUapiError;

const SEED_ID = 'NqeyDRqo4FtabmFj8gNWq3hsiGNYyq';
/** The Update page's Model example id, also in the seed world. */
const PAGE_ID = 'MyPhoneCallEvent';
const EVENTS = '/uapi/extensions/@me/0003*210/phoneCallEvents';

beforeAll(async () => {
  sb = await startSandbox({ pickupDelayMs: 50 });
  token = sb.issueToken('12').accessToken;
  bob = sb.issueToken('14').accessToken;
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

describe('Update PhoneCallEvents (page 003)', () => {
  it('updates method and note of the seed event and returns the whole event', async () => {
    const r = await api(
      'PUT',
      `/uapi/extensions/@me/0003*210/phoneCallEvents/0/${SEED_ID}`,
      `{
  "method": "1",
  "note": "I want to use POST for my event"
}`,
    );
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      type: '0',
      id: SEED_ID,
      method: '1',
      note: 'I want to use POST for my event',
      url: 'http://myevent.example/SaveMyPhoneCallDetails',
      status: '1',
      modified: r.json.modified,
      links: { self: `${sb.url}/uapi/extensions/@me/0003*210/phoneCallEvents/0/${SEED_ID}` },
    });
    expect(r.json.modified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    const read = await api('GET', `${EVENTS}/0/${SEED_ID}`);
    expect(read.json.entry[0]).toEqual(r.json);
  });

  it('updates url and status, one field at a time', async () => {
    await api('PUT', `${EVENTS}/0/${SEED_ID}`, { url: 'https://hooks.example/in' });
    const r = await api('PUT', `${EVENTS}/0/${SEED_ID}`, { status: 0 });
    expect(r.json).toMatchObject({ url: 'https://hooks.example/in', status: '0', method: '0', note: 'Log incoming calls' });
  });
});

describe('List, Add and Delete PhoneCallEvents', () => {
  it('lists by extension, type and id; 204 when nothing matches', async () => {
    const all = await api('GET', EVENTS);
    expect(all.status).toBe(200);
    expect(all.json.entry.map((e: any) => e.id).sort()).toEqual([PAGE_ID, SEED_ID].sort());
    expect((await api('GET', `${EVENTS}/0`)).json.entry).toHaveLength(2);
    expect((await api('GET', `${EVENTS}/1`)).status).toBe(204);
    expect((await api('GET', `${EVENTS}/0/${SEED_ID}/`)).json.entry[0].id).toBe(SEED_ID);
    expect((await api('GET', `${EVENTS}/0/ZZZZ`)).status).toBe(204);
  });

  it('adds an event with the type in the body or in the path', async () => {
    const a = await api('POST', EVENTS, { type: 2, url: 'http://127.0.0.1:9/hangup', method: 1, note: 'hangups' });
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ type: '2', method: '1', status: '1', note: 'hangups', url: 'http://127.0.0.1:9/hangup' });
    // Update page, pce_id_invalid: "alpha-numeric 32 characters long".
    expect(a.json.id).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(a.json.links.self).toBe(`${sb.url}${EVENTS}/2/${a.json.id}`);

    const b = await api('POST', `${EVENTS}/3`, { url: 'http://127.0.0.1:9/answer' });
    expect(b.json).toMatchObject({ type: '3', method: '0', status: '1' });
    const mine = 'MyOwnPhoneCallEvent0123456789abc';
    const c = await api('POST', `${EVENTS}/`, { type: '4', id: mine, url: 'http://127.0.0.1:9/x' });
    expect(c.json.id).toBe(mine);
    expect((await api('GET', EVENTS)).json.entry).toHaveLength(5);
  });

  it('deletes one event, a type, or all of the extension', async () => {
    await api('POST', EVENTS, { type: 1, url: 'http://127.0.0.1:9/a' });
    await api('POST', EVENTS, { type: 1, url: 'http://127.0.0.1:9/b' });
    const one = await api('DELETE', `${EVENTS}/0/${SEED_ID}`);
    expect(one).toMatchObject({ status: 200, json: [{ id: SEED_ID }] });
    expect((await api('DELETE', `${EVENTS}/0/${SEED_ID}`)).status).toBe(204);
    expect((await api('DELETE', `${EVENTS}/0/${PAGE_ID}`)).status).toBe(200);
    const type1 = await api('DELETE', `${EVENTS}/1`);
    expect(type1.json).toHaveLength(2);
    expect((await api('GET', EVENTS)).status).toBe(204);
    await api('POST', EVENTS, { type: 2, url: 'http://127.0.0.1:9/c' });
    expect((await api('DELETE', EVENTS)).json).toHaveLength(1);
  });

  it('works on a queue extension and for the Organization account', async () => {
    expect((await api('POST', '/uapi/extensions/@me/0003*300/phoneCallEvents/0', { url: 'http://127.0.0.1:9/q' })).status).toBe(200);
    const org = sb.issueToken('3').accessToken;
    expect((await api('GET', `/uapi/extensions/12/0003*210/phoneCallEvents`, undefined, org)).status).toBe(200);
  });
});

describe('documented error codes', () => {
  it.each([
    ['type out of range in the body', 'pce_type_invalid', 'POST', EVENTS, { type: 7, url: 'http://a.example/' }],
    ['type missing', 'pce_type_invalid', 'POST', EVENTS, { url: 'http://a.example/' }],
    ['type in path and body disagree', 'pce_type_invalid', 'POST', `${EVENTS}/1`, { type: 2, url: 'http://a.example/' }],
    ['type in the path not a number', 'pce_type_invalid', 'GET', `${EVENTS}/x`, undefined],
    ['type in the path out of range', 'pce_type_invalid', 'PUT', `${EVENTS}/9/${SEED_ID}`, { note: 'x' }],
    ['unknown event id', 'pce_id_invalid', 'PUT', `${EVENTS}/0/Nope0000000000000000000000000`, { note: 'x' }],
    ['event id under another type', 'pce_id_invalid', 'PUT', `${EVENTS}/1/${SEED_ID}`, { note: 'x' }],
    ['event id not alpha-numeric', 'pce_id_invalid', 'PUT', `${EVENTS}/0/bad-id!`, { note: 'x' }],
    ['event id missing on update', 'pce_id_invalid', 'PUT', `${EVENTS}/0`, { note: 'x' }],
    ['client id not alpha-numeric', 'pce_id_invalid', 'POST', EVENTS, { type: 0, id: 'a b', url: 'http://a.example/' }],
    ['method 2', 'pce_method_invalid', 'PUT', `${EVENTS}/0/${SEED_ID}`, { method: '2' }],
    ['method "POST"', 'pce_method_invalid', 'PUT', `${EVENTS}/0/${SEED_ID}`, { method: 'POST' }],
    ['note too long', 'pce_note_invalid', 'PUT', `${EVENTS}/0/${SEED_ID}`, { note: 'x'.repeat(1025) }],
    ['note not a string', 'pce_note_invalid', 'PUT', `${EVENTS}/0/${SEED_ID}`, { note: 5 }],
    ['url not http', 'pce_url_invalid', 'PUT', `${EVENTS}/0/${SEED_ID}`, { url: 'ftp://files.example/x' }],
    ['url not a URL', 'pce_url_invalid', 'PUT', `${EVENTS}/0/${SEED_ID}`, { url: 'not a url' }],
    ['url missing on add', 'pce_url_invalid', 'POST', EVENTS, { type: 0 }],
    ['status 2', 'pce_status_invalid', 'PUT', `${EVENTS}/0/${SEED_ID}`, { status: '2' }],
    ['extension @self', 'extension_invalid', 'GET', '/uapi/extensions/@me/@self/phoneCallEvents', undefined],
    ['unknown extension', 'extension_invalid', 'GET', '/uapi/extensions/@me/0003*999/phoneCallEvents', undefined],
    ["someone else's extension", 'pce_access_denied', 'GET', '/uapi/extensions/@me/0003*024/phoneCallEvents', undefined],
    ['malformed JSON', 'request_invalid', 'PUT', `${EVENTS}/0/${SEED_ID}`, '{"method":'],
  ])('%s → %s', async (_name, code, method, path, body) => {
    expectError(await api(method, path, body), 400, code);
  });

  it('an extension type that cannot have events → extension_invalid', async () => {
    const org = sb.issueToken('3').accessToken;
    expectError(await api('GET', '/uapi/extensions/@me/0003*500/phoneCallEvents', undefined, org), 400, 'extension_invalid');
  });

  it("another user's id → the code the Update page names, 400 pce_access_denied", async () => {
    expectError(await api('GET', '/uapi/extensions/13/0003*024/phoneCallEvents'), 400, 'pce_access_denied');
  });
});

describe('Call Events delivery', () => {
  let hook: Server;
  let hookUrl: string;
  const received: { method: string; path: string; query: Record<string, string>; form: Record<string, string>; contentType?: string }[] = [];

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://x');
        received.push({
          method: req.method ?? '',
          path: u.pathname,
          query: Object.fromEntries(u.searchParams),
          form: Object.fromEntries(new URLSearchParams(body)),
          contentType: req.headers['content-type'],
        });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => hook.close(() => resolve())));
  beforeEach(() => {
    received.length = 0;
  });

  async function waitFor(n: number): Promise<void> {
    await waitUntil(`${n} call events`, () => received.length >= n).catch((err: Error) => {
      throw new Error(`${err.message}; arrived: ${JSON.stringify(received)}`);
    });
  }

  it('an inbound call fires Dial-In (GET), Answer (POST) and Hangup (POST) on the called extension', async () => {
    const ext = '/uapi/extensions/@me/0003*025/phoneCallEvents';
    await api('POST', ext, { type: 0, method: 0, url: `${hookUrl}/dialin?token=abc` }, bob);
    await api('POST', ext, { type: 3, method: 1, url: `${hookUrl}/answer` }, bob);
    await api('POST', ext, { type: 2, method: 1, url: `${hookUrl}/hangup` }, bob);
    await api('POST', ext, { type: 0, method: 1, status: 0, url: `${hookUrl}/disabled` }, bob);

    const created = await fetch(`${sb.url}/_sandbox/calls`, {
      method: 'POST',
      body: JSON.stringify({ to: '0003*025', from: '5550199', callerId: 'Alice Caller <5550199>' }),
    });
    expect(created.status).toBe(201);
    const callId = ((await created.json()) as { id: string }).id;
    await waitFor(2);
    const dialIn = received.find((r) => r.path === '/dialin');
    expect(dialIn?.method).toBe('GET');
    expect(dialIn?.query).toEqual({
      token: 'abc',
      CallID: callId,
      CallerIDNum: '5550199',
      CallerIDName: 'Alice Caller',
      CalledExtension: '0003*025',
      CalledNumber: '0003*025',
      CallStatus: 'CALLING',
      CallFlow: 'IN',
    });
    const answered = received.find((r) => r.path === '/answer');
    expect(answered?.method).toBe('POST');
    expect(answered?.contentType).toBe('application/x-www-form-urlencoded');
    expect(answered?.form).toMatchObject({ CallID: callId, CallStatus: 'ANSWER', CallFlow: 'IN', CalledExtension: '0003*025' });

    const del = await api('DELETE', `/uapi/phoneCalls/@me/0003*025/${callId}`, undefined, bob);
    expect(del.status).toBe(200);
    await waitFor(3);
    expect(received.find((r) => r.path === '/hangup')?.form).toMatchObject({ CallID: callId, CallStatus: 'ANSWER', CallFlow: 'IN' });
    // Every delivery is started when its signal fires; once none is in flight, nothing more can arrive.
    await sb.callEventsDelivered();
    expect(received.map((r) => r.path).sort()).toEqual(['/answer', '/dialin', '/hangup']);
  });

  it('a call placed by an extension fires Dial-Out and Answer on outgoing call; an unanswered one Hangup UNKNOWN', async () => {
    const ext = '/uapi/extensions/@me/0003*210/phoneCallEvents';
    await api('POST', ext, { type: 1, method: 1, url: `${hookUrl}/out` });
    await api('POST', ext, { type: 4, method: 1, url: `${hookUrl}/out-answer` });
    await api('POST', ext, { type: 2, method: 0, url: `${hookUrl}/out-hangup` });
    const r = await api('POST', '/uapi/phoneCalls/@me/simple', { extension: '0003*210', phoneCallView: [{ destination: ['+15550001111'] }] });
    expect(r.status).toBe(200);
    await waitFor(2);
    expect(received.find((x) => x.path === '/out')?.form).toMatchObject({
      CallID: r.json[0].id,
      CallerExtension: '0003*210',
      CalledNumber: '+15550001111',
      CallerIDNum: '3333',
      CallerIDName: 'John Doe',
      CallStatus: 'CALLING',
      CallFlow: 'OUT',
    });
    expect(received.find((x) => x.path === '/out-answer')?.form).toMatchObject({ CallStatus: 'ANSWER', CallFlow: 'OUT' });

    received.length = 0;
    await api('POST', '/uapi/phoneCalls/@me/simple?waitForPickup=0.2', { extension: '0003*210', phoneCallView: [{ destination: ['0003*026'] }] });
    const hangup = await waitUntil('the Hangup call event of the unanswered call', () => received.find((x) => x.path === '/out-hangup'));
    expect(hangup.query).toMatchObject({ CallStatus: 'UNKNOWN', CallFlow: 'OUT', CalledExtension: '0003*026' });
  });
});
