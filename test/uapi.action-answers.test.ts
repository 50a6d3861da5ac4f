/**
 * What an action's answer leads to: the UAPI pages allow a 200 with the phone call,
 * which is then the call after the action (no read-back); the seeds' 202, or a 200
 * with only the short answer, is followed by a read of link.self. A server that is not
 * the sandbox answers here, since the sandbox answers as the seeds' examples do (202).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UapiClient, staticToken } from '../src/uapi/client.js';
import { UapiHttp } from '../src/uapi/http.js';

const CALL = 'b817d2618fe6f1804333';
const ref = { userId: '12', extension: '0003*210', phoneCallId: CALL };
const held = { id: CALL, extension: '0003*210', phoneCallView: [{ id: '01', status: '5', onhold: '2012-06-27T16:18:55+03:00', holder: 1 }] };

let server: http.Server;
let base: string;
let answerPut: (res: http.ServerResponse) => void;
const seen: string[] = [];
const json = (res: http.ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.method === 'PUT') answerPut(res);
    else json(res, 200, { entry: [{ ...held, phoneCallView: [{ id: '01', status: '5' }], note: 'read back' }] });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => {
  seen.length = 0;
});

const hold = () => new UapiClient(new UapiHttp({ baseUrl: base }), staticToken('t')).act(ref, { action: 'OnHold', phoneCallViewId: '01' });
const path = `/uapi/phoneCalls/12/0003*210/${CALL}`;

describe('an action answered 200', () => {
  it('with the call in a list: the call is the answer, nothing is read back', async () => {
    answerPut = (res) => json(res, 200, { entry: [held] });
    const outcome = await hold();
    expect(seen).toEqual([`PUT ${path}`]);
    expect(outcome.unread).toBeUndefined();
    expect(outcome.call!.phoneCallView[0]).toMatchObject({ status: 5, onHold: '2012-06-27T16:18:55+03:00', holder: 1 });
  });

  it('with the bare call: the call is the answer, nothing is read back', async () => {
    answerPut = (res) => json(res, 200, held);
    const { call } = await hold();
    expect(seen).toEqual([`PUT ${path}`]);
    expect(call!.phoneCallView[0]).toMatchObject({ holder: 1 });
  });

  it('with only the short answer (id, link): its link.self is read, as after a 202', async () => {
    answerPut = (res) => json(res, 200, { id: CALL, extension: '0003*210', link: { self: `${base}/${path}?from=link` } });
    const outcome = await hold();
    expect(seen).toEqual([`PUT ${path}`, `GET ${path}?from=link`]);
    expect(outcome.call).toMatchObject({ note: 'read back' });
  });

  it('with a body that is no call at all: the action stands and the call is read at its own path', async () => {
    answerPut = (res) => json(res, 200, { result: 'ok' });
    const outcome = await hold();
    expect(seen).toEqual([`PUT ${path}`, `GET ${path}`]);
    expect(outcome.call).toMatchObject({ note: 'read back' });
  });
});
