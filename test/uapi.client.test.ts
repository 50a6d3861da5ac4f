import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/sandbox/server.js';
import { UapiClient, staticToken } from '../src/uapi/client.js';
import { UAPI_ERROR_SENTENCES, UapiError } from '../src/uapi/errors.js';
import { UapiHttp } from '../src/uapi/http.js';
import { VoipnowOAuth, refreshingCredentials } from '../src/uapi/oauth.js';
import { rejection, useSandboxEnv } from './helpers/uapi-sandbox.js';
import { waitUntil } from './helpers/wait.js';

const CALL = SEED_IDS.seedCall;
const ref = { userId: '12', extension: '0003*210', phoneCallId: CALL };

const env = useSandboxEnv({ pickupDelayMs: 40, timeoutMs: 2000, clearFaults: true, clearRequests: false });
let token: string;
let client: UapiClient;

beforeEach(() => {
  token = env.sandbox.issueToken('12').accessToken;
  client = new UapiClient(env.http, staticToken(token));
});

const puts = () => env.sandbox.requests.filter((r) => r.method === 'PUT');

describe('seed requests through the client', () => {
  it('OnHold: sends the seed body, follows link.self and reads the held view', async () => {
    const { call, accepted } = await client.act(ref, { action: 'OnHold', phoneCallViewId: '01' });
    const put = puts().at(-1)!;
    expect(put.path).toBe(`/uapi/phoneCalls/12/0003*210/${CALL}`);
    expect(put.body).toEqual({ action: 'OnHold', phoneCallViewId: '01' });
    expect(put.status).toBe(202);
    expect(accepted).toMatchObject({ id: CALL, extension: '0003*210' });
    expect(env.sandbox.requests.at(-1)).toMatchObject({ method: 'GET', path: `/uapi/phoneCalls/12/0003*210/${CALL}` });
    const view = call!.phoneCallView[0]!;
    expect(view).toMatchObject({ id: '01', status: 5, holder: 1, source: ['0003*210'], destination: ['0003*024'] });
    expect(Date.parse(view.onHold!)).not.toBeNaN();
  });

  it('OffHold: the hold time and holder are gone', async () => {
    await client.act(ref, { action: 'OnHold', phoneCallViewId: '01' });
    const { call } = await client.act(ref, { action: 'OffHold', phoneCallViewId: '01' });
    expect(puts().at(-1)!.body).toEqual({ action: 'OffHold', phoneCallViewId: '01' });
    expect(call!.phoneCallView[0]!.onHold).toBeUndefined();
    expect(call!.phoneCallView[0]!.holder).toBeUndefined();
  });

  it('UnPark: sends the seed body and the parked party moves to sendCallTo after pickup', async () => {
    const parked = { userId: '12', extension: '0003*210', phoneCallId: SEED_IDS.parkedCall };
    await client.act(parked, { action: 'UnPark', sendCallTo: '0003*024', callerId: 'John Doe <42420042>', waitForPickup: 20, phoneCallViewId: '01' });
    expect(puts().at(-1)!.body).toEqual({
      action: 'UnPark',
      sendCallTo: '0003*024',
      callerId: 'John Doe <42420042>',
      waitForPickup: '20',
      phoneCallViewId: '01',
    });
    const view = await waitUntil('the unparked call to be answered on 0003*024', async () =>
      (await client.getPhoneCall(parked))?.phoneCallView.find((x) => x.extension === '0003*024' && x.status === 5),
    );
    expect(view.parked).toBeUndefined();
    expect(view.source).toEqual(['0003*024']);
  });

  it('Whisper: sends the repaired seed body and view 02 appears after pickup', async () => {
    await client.act(ref, { action: 'Whisper', sendCallTo: '0003*024', private: 0, callerId: 'Whisper To Me <42420042>', waitForPickup: '20', phoneCallViewId: '01' });
    expect(puts().at(-1)!.body).toEqual({
      action: 'Whisper',
      sendCallTo: '0003*024',
      private: 0,
      callerId: 'Whisper To Me <42420042>',
      waitForPickup: '20',
      phoneCallViewId: '01',
    });
    const v2 = await waitUntil('view 02 to be answered', async () => (await client.getPhoneCall(ref))?.phoneCallView.find((v) => v.id === '02' && v.status === 5));
    expect(v2).toMatchObject({ extension: '0003*210', source: ['0003*024'], destination: ['0003*210'], callerId: 'Whisper To Me <42420042>' });
  });

  it('Update PhoneCallEvents: the seed request changes method and note', async () => {
    const ev = await client.updatePhoneCallEvent(
      { userId: '@me', extension: '0003*210', eventType: 0, eventId: SEED_IDS.seedEvent },
      { method: 'post', note: 'I want to use POST for my event' },
    );
    const put = puts().at(-1)!;
    expect(put.path).toBe(`/uapi/extensions/@me/0003*210/phoneCallEvents/0/${SEED_IDS.seedEvent}`);
    expect(put.body).toEqual({ method: '1', note: 'I want to use POST for my event' });
    expect(ev).toMatchObject({ id: SEED_IDS.seedEvent, type: 0, method: 1, note: 'I want to use POST for my event' });
  });

  it('lists calls, parks, hangs up, and manages events (add, list, delete)', async () => {
    const calls = await client.listPhoneCalls({ extension: '0003*210' });
    expect(calls.map((c) => c.id)).toContain(CALL);
    const parked = await client.act(ref, { action: 'Park', phoneCallViewId: '01', maxInParking: 300 });
    expect(parked.call!.phoneCallView[0]!.parked).toBeDefined();
    expect(await client.hangUp(ref)).toEqual([CALL]);
    expect(await client.getPhoneCall(ref)).toBeUndefined();

    const added = await client.addPhoneCallEvent({ extension: '0003*210' }, { type: 2, url: 'https://crm.example.com/hook', method: 'post', status: 'enabled' });
    expect(added).toMatchObject({ type: 2, method: 1, status: 1, url: 'https://crm.example.com/hook' });
    const listed = await client.listPhoneCallEvents({ extension: '0003*210', eventType: 2 });
    expect(listed.map((e) => e.id)).toContain(added!.id);
    expect(await client.deletePhoneCallEvents({ extension: '0003*210', eventType: 2, eventId: added!.id })).toEqual([added!.id]);
  });
});

describe("input rules are checked before anything is sent, with the server's code", () => {
  it.each([
    ['pc_callerid_invalid', { action: 'UnPark', sendCallTo: '0003*024', callerId: 'John Doe 42420042', phoneCallViewId: '01' }],
    ['pc_timeout_invalid', { action: 'UnPark', sendCallTo: '0003*024', waitForPickup: 0, phoneCallViewId: '01' }],
    ['pc_timeout_invalid', { action: 'Whisper', sendCallTo: '0003*024', waitForPickup: 'soon', phoneCallViewId: '01' }],
    ['pc_private_invalid', { action: 'Whisper', sendCallTo: '0003*024', private: 2, phoneCallViewId: '01' }],
    ['pc_sendcallto_invalid', { action: 'Whisper', sendCallTo: 'bob', phoneCallViewId: '01' }],
    ['pc_phonecallview_invalid', { action: 'OnHold', phoneCallViewId: '' }],
    ['pc_action_invalid', { action: 'Explode', phoneCallViewId: '01' }],
  ])('%s', async (codeWanted, body) => {
    const before = env.sandbox.requests.length;
    const err = await rejection(client.act(ref, body as never));
    expect(err).toMatchObject({ kind: 'invalid_input', code: codeWanted });
    expect(env.sandbox.requests.length).toBe(before);
  });

  it('rejects bad extensions, ids and event fields before sending', async () => {
    const before = env.sandbox.requests.length;
    expect(await rejection(client.listPhoneCalls({ userId: 'bob', extension: '0003*210' }))).toMatchObject({ code: 'user_invalid' });
    expect(await rejection(client.listPhoneCalls({ extension: '0003*21x' }))).toMatchObject({ code: 'extension_invalid' });
    expect(await rejection(client.act({ ...ref, phoneCallId: 'no/slashes' }, { action: 'OnHold', phoneCallViewId: '01' }))).toMatchObject({ code: 'pc_phonecall_invalid' });
    expect(await rejection(client.listPhoneCallEvents({ extension: '@self' }))).toMatchObject({ code: 'extension_invalid' });
    const evRef = { extension: '0003*210', eventType: 0, eventId: SEED_IDS.seedEvent };
    expect(await rejection(client.updatePhoneCallEvent(evRef, { note: 'x'.repeat(1025) }))).toMatchObject({ code: 'pce_note_invalid' });
    expect(await rejection(client.updatePhoneCallEvent(evRef, { url: 'ftp://x' }))).toMatchObject({ code: 'pce_url_invalid' });
    expect(await rejection(client.updatePhoneCallEvent(evRef, { method: 'PUT' }))).toMatchObject({ code: 'pce_method_invalid' });
    expect(await rejection(client.updatePhoneCallEvent(evRef, { status: 'maybe' }))).toMatchObject({ code: 'pce_status_invalid' });
    expect(await rejection(client.listPhoneCallEvents({ extension: '0003*210', eventType: 7 }))).toMatchObject({ code: 'pce_type_invalid' });
    expect(env.sandbox.requests.length).toBe(before);
  });
});

describe('errors the server answers become plain-language UapiErrors', () => {
  it("every known code, and the seeds' misspellings of them, has a sentence without jargon", () => {
    for (const [code, sentence] of Object.entries(UAPI_ERROR_SENTENCES)) {
      expect(new UapiError({ kind: 'rejected', code, status: 400 }).sentence).toBe(sentence);
      expect(sentence).not.toMatch(/_invalid|_denied/);
    }
    expect(new UapiError({ kind: 'rejected', code: 'pc_phoncall_invalid', status: 400 }).code).toBe('pc_phonecall_invalid');
    expect(new UapiError({ kind: 'rejected', code: 'pc_honecall_invalid', status: 400 }).code).toBe('pc_phonecall_invalid');
    expect(new UapiError({ kind: 'rejected', code: 'pc_phoncallview_invalid', status: 400 }).code).toBe('pc_phonecallview_invalid');
    expect(new UapiError({ kind: 'rejected', code: 'something_new', status: 503 }).sentence).toMatch(/HTTP 503/);
  });

  it.each([
    ['pc_phonecall_invalid', () => client.act({ ...ref, phoneCallId: 'ffffffffffffffffffff' }, { action: 'OnHold', phoneCallViewId: '01' }), /does not exist/],
    ['pc_phonecallview_invalid', () => client.act(ref, { action: 'OnHold', phoneCallViewId: '09' }), /no such view/],
    ['pc_sendcallto_invalid', () => client.act(ref, { action: 'Whisper', sendCallTo: '0003*999', phoneCallViewId: '01' }), /phone terminal extension/],
    ['extension_invalid', () => client.listPhoneCalls({ extension: '0003*999' }), /extension does not exist/],
    ['pce_id_invalid', () => client.updatePhoneCallEvent({ extension: '0003*210', eventType: 0, eventId: 'nosuchevent' }, { method: 'get' }), /event id/],
    ['pce_access_denied', () => client.listPhoneCallEvents({ extension: '0003*024' }), /not allowed to manage call events/],
  ])('%s', async (codeWanted, run, sentence) => {
    const err = await rejection(run());
    expect(err).toMatchObject({ kind: 'rejected', status: 400, code: codeWanted });
    expect(err.sentence).toMatch(sentence);
  });

  it('401 access_denied for a bad token, and the token never appears in the error', async () => {
    const bad = new UapiClient(env.http, staticToken('not-a-real-token-123'));
    const err = await rejection(bad.listPhoneCalls({ extension: '0003*210' }));
    expect(err).toMatchObject({ status: 401, code: 'access_denied', isAuthFailure: true });
    expect(`${err.message} ${err.sentence} ${JSON.stringify(err)}`).not.toContain('not-a-real-token-123');
  });

  it("acting on another user's extension is refused", async () => {
    const err = await rejection(client.listPhoneCalls({ userId: '13', extension: '0003*024' }));
    expect(err.status).toBe(401);
  });

  it('refreshes an expired token once and retries, saving the new one', async () => {
    const oauth = new VoipnowOAuth(env.http, { clientId: 'callops-demo', clientSecret: 'callops-demo-secret' });
    const issued = env.sandbox.issueToken('12', -1); // already expired on the server, though the client thinks it is good for an hour
    const saved: string[] = [];
    const creds = refreshingCredentials(
      oauth,
      { accessToken: issued.accessToken, refreshToken: issued.refreshToken, expiresAt: new Date(Date.now() + 3600_000) },
      { onChange: (t) => void saved.push(t.accessToken) },
    );
    const calls = await new UapiClient(env.http, creds).listPhoneCalls({ extension: '0003*210' });
    expect(calls.length).toBeGreaterThan(0);
    expect(saved).toHaveLength(1);
    expect(saved[0]).not.toBe(issued.accessToken);
  });

  it('a 5xx answer becomes a retry-later sentence', async () => {
    env.sandbox.setFaults({ errorRate: 1 });
    const err = await rejection(client.listPhoneCalls({ extension: '0003*210' }));
    expect(err).toMatchObject({ status: 500, code: 'internal_server_error' });
    expect(err.sentence).toMatch(/Try again in a moment/);
  });

  it('a hanging server times out with a clear error', async () => {
    env.sandbox.setFaults({ hang: true });
    const quick = new UapiClient(new UapiHttp({ baseUrl: env.sandbox.url, timeoutMs: 150 }), staticToken(token));
    const err = await rejection(quick.listPhoneCalls({ extension: '0003*210' }));
    expect(err.kind).toBe('timeout');
    expect(err.sentence).toMatch(/did not answer within/);
    env.sandbox.setFaults({});
  });
});

describe('against a misbehaving server', () => {
  let server: http.Server;
  let base: string;
  let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  const seen: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.headers.host}${req.url}`);
      handler(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  afterEach(() => {
    seen.length = 0;
  });

  it('a body that is not JSON is reported, not thrown raw', async () => {
    handler = (_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>login</html>');
    const err = await rejection(new UapiClient(new UapiHttp({ baseUrl: base }), staticToken('t')).listPhoneCalls({ extension: '210' }));
    expect(err.kind).toBe('bad_response');
    expect(err.sentence).toMatch(/not JSON/);
  });

  it('an error page that is not JSON still gives a status sentence', async () => {
    handler = (_req, res) => res.writeHead(502).end('Bad Gateway');
    const err = await rejection(new UapiClient(new UapiHttp({ baseUrl: base }), staticToken('t')).listPhoneCalls({ extension: '210' }));
    expect(err).toMatchObject({ status: 502 });
    expect(err.sentence).toMatch(/HTTP 502/);
  });

  it('a link.self to another host is never followed; the call is read from the configured server', async () => {
    handler = (req, res) => {
      if (req.method === 'PUT') {
        res.writeHead(202, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ id: CALL, extension: '0003*210', link: { self: `http://169.254.169.254//uapi/phoneCalls/12/0003*210/${CALL}` } }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ entry: [{ id: CALL, extension: '0003*210', phoneCallView: [{ id: '01', status: '5', onhold: '2012-06-27T16:18:55+03:00', holder: 1 }] }] }));
    };
    const c = new UapiClient(new UapiHttp({ baseUrl: base }), staticToken('t'));
    const { call } = await c.act(ref, { action: 'OnHold', phoneCallViewId: '01' });
    expect(seen).toEqual([`PUT 127.0.0.1:${new URL(base).port}/uapi/phoneCalls/12/0003*210/${CALL}`, `GET 127.0.0.1:${new URL(base).port}/uapi/phoneCalls/12/0003*210/${CALL}`]);
    expect(call!.phoneCallView[0]).toMatchObject({ status: 5, onHold: '2012-06-27T16:18:55+03:00', holder: 1 });
  });

  it("follows a same-host link.self, normalising the seeds' double slash", async () => {
    handler = (req, res) => {
      if (req.method === 'PUT') {
        res.writeHead(202, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ id: CALL, link: { self: `${base}//uapi/phoneCalls/12/0003*210/${CALL}?from=link` } }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: CALL, phoneCallView: [] }));
    };
    await new UapiClient(new UapiHttp({ baseUrl: base }), staticToken('t')).act(ref, { action: 'OffHold', phoneCallViewId: '01' });
    expect(seen[1]).toMatch(/^GET .*\/uapi\/phoneCalls\/12\/0003\*210\/b817d2618fe6f1804333\?from=link$/);
  });

  it('sends the bearer token, JSON and a User-Agent naming callops', async () => {
    let headers: http.IncomingHttpHeaders = {};
    handler = (req, res) => {
      headers = req.headers;
      res.writeHead(204).end();
    };
    expect(await new UapiClient(new UapiHttp({ baseUrl: base }), staticToken('tok')).listPhoneCalls({ extension: '210' })).toEqual([]);
    expect(headers.authorization).toBe('Bearer tok');
    expect(headers['user-agent']).toMatch(/^callops\/\d+\.\d+\.\d+/);
  });
});
