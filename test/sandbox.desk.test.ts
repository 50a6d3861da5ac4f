/**
 * Sandbox PBX desk-phone controls (POST /_sandbox/calls/{id}/answer|hold|resume|park|unpark|transfer|hangup)
 * and the call events they cause: exactly VoipNow's four kinds (Dial-In, Dial-Out,
 * Answer, Hangup), none for hold or park; plus the dropEvents fault.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { eventKey, registerAllEvents, startEventSink, type EventSink } from './helpers/event-sink.js';
import { rawRequest } from './helpers/raw-uapi.js';
import { waitUntil } from './helpers/wait.js';

let sb: Sandbox;
let sink: EventSink;
let org: string; // the Organization account: may manage events of every extension of org 3

async function ctl(path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${sb.url}/_sandbox/${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Places a call and returns its id. */
async function place(body: Record<string, unknown>): Promise<string> {
  const r = await ctl('calls', body);
  expect(r.status).toBe(201);
  return r.json.id as string;
}

/** Events received so far as `ext/type` keys, after every delivery in flight landed. */
async function keys(): Promise<string[]> {
  await sb.idle();
  return sink.received.map(eventKey);
}

beforeAll(async () => {
  sb = await startSandbox({ pickupDelayMs: 30 });
  sink = await startEventSink();
  org = sb.issueToken('3').accessToken;
});
afterAll(async () => {
  await sb.close();
  await sink.close();
});
beforeEach(async () => {
  sb.reset();
  sb.setFaults({});
  await sb.idle();
  sink.received.length = 0;
});

describe('desk-phone controls on an inbound call', () => {
  it('ring → answer → hold → resume → park → resume → hangup, with Dial-In, Answer and Hangup only', async () => {
    await registerAllEvents(sb.url, org, '0003*025', sink.url);
    const id = await place({ to: '0003*025', from: '5550199', callerId: 'Alice Caller <5550199>', autoAnswer: false });

    const view = (r: { json: any }) => r.json.phoneCallView[0];
    const ringing = await rawRequest(sb.url, 'GET', `/uapi/phoneCalls/@me/0003*025/${id}`, undefined, org);
    expect(ringing.json.entry[0].phoneCallView[0]).toMatchObject({ status: '3', extension: '0003*025' });
    expect(await keys()).toEqual(['0003*025/0']);
    expect(sink.received[0]?.params).toEqual({
      CallID: id,
      CallerIDNum: '5550199',
      CallerIDName: 'Alice Caller',
      CalledExtension: '0003*025',
      CalledNumber: '0003*025',
      CallStatus: 'CALLING',
      CallFlow: 'IN',
    });

    const answered = await ctl(`calls/${id}/answer`);
    expect(answered.status).toBe(200);
    expect(view(answered)).toMatchObject({ status: '5' });
    expect(view(answered).answered).toBeDefined();
    expect(await keys()).toEqual(['0003*025/0', '0003*025/3']);
    expect(sink.received[1]?.params).toMatchObject({ CallID: id, CallStatus: 'ANSWER', CallFlow: 'IN' });

    const held = await ctl(`calls/${id}/hold`);
    expect(view(held)).toMatchObject({ status: '5', holder: 1 });
    expect(view(held).onHold).toBeDefined();
    const resumed = await ctl(`calls/${id}/resume`);
    expect(view(resumed).onHold).toBeUndefined();
    const parked = await ctl(`calls/${id}/park`);
    expect(view(parked)).toMatchObject({ parkedPos: 2, parkedBy: '0003*025' }); // the seed's parked call holds position 1;
    const unparked = await ctl(`calls/${id}/resume`);
    expect(view(unparked).parked).toBeUndefined();
    expect(view(unparked).status).toBe('5');
    // VoipNow has no call event for hold or park.
    expect(await keys()).toEqual(['0003*025/0', '0003*025/3']);

    const gone = await ctl(`calls/${id}/hangup`);
    expect(gone).toEqual({ status: 200, json: { id, ended: true } });
    expect(await keys()).toEqual(['0003*025/0', '0003*025/3', '0003*025/2']);
    expect(sink.received[2]?.params).toMatchObject({ CallID: id, CallStatus: 'ANSWER', CallFlow: 'IN' });
    expect((await rawRequest(sb.url, 'GET', `/uapi/phoneCalls/@me/0003*025/${id}`, undefined, org)).status).toBe(204);
  });

  it('a phone that never answers can still be picked up at the desk', async () => {
    const id = await place({ to: '0003*026', waitForPickup: 60 });
    expect((await ctl(`calls/${id}/answer`)).json.phoneCallView[0].status).toBe('5');
  });

  it('a ringing call hung up at the desk ends with Hangup UNKNOWN', async () => {
    await registerAllEvents(sb.url, org, '0003*210', sink.url, 0);
    const id = await place({ to: '0003*210', autoAnswer: false });
    await ctl(`calls/${id}/hangup`);
    expect(await keys()).toEqual(['0003*210/0', '0003*210/2']);
    expect(sink.received[1]).toMatchObject({ method: 'GET', params: { CallID: id, CallStatus: 'UNKNOWN', CallFlow: 'IN' } });
  });

  it('transfer at the desk moves the call to another phone once it answers', async () => {
    await registerAllEvents(sb.url, org, '0003*024', sink.url);
    const id = await place({ to: '0003*025', from: '5550111', autoAnswer: false });
    expect((await ctl(`calls/${id}/transfer`, { to: '0003*024' })).status).toBe(409);
    await ctl(`calls/${id}/answer`);
    expect((await ctl(`calls/${id}/transfer`, { to: '0003*024' })).status).toBe(200);
    await sink.waitFor((r) => r.some((e) => eventKey(e) === '0003*024/3'));
    const read = await rawRequest(sb.url, 'GET', `/uapi/phoneCalls/@me/0003*024/${id}`, undefined, org);
    expect(read.json.entry[0].phoneCallView[0]).toMatchObject({ status: '5', destination: ['0003*024'] });
  });
});

describe('queue and dial-out calls', () => {
  it('a call to the queue rings there until an agent picks up; the agent gets view 02', async () => {
    await registerAllEvents(sb.url, org, '0003*300', sink.url);
    await registerAllEvents(sb.url, org, '0003*025', sink.url);
    const id = await place({ to: '0003*300', from: '7770001', callerId: 'Queue Caller <7770001>', autoAnswer: false });
    const answered = await ctl(`calls/${id}/answer`, { agent: '0003*025' });
    expect(answered.status).toBe(200);
    expect(answered.json.phoneCallView).toMatchObject([
      { id: '01', extension: '0003*300', status: '5', source: ['7770001'], destination: ['0003*300'], flow: 8 },
      { id: '02', extension: '0003*025', status: '5', source: ['7770001'], destination: ['0003*025'], flow: 8 },
    ]);
    expect((await keys()).sort()).toEqual(['0003*025/0', '0003*025/3', '0003*300/0', '0003*300/3']);
    // The desk at the agent's phone holds the agent's view.
    const held = await ctl(`calls/${id}/hold`);
    expect(held.json.phoneCallView[1].holder).toBe(1);
    await ctl(`calls/${id}/hangup`);
    expect((await keys()).filter((k) => k.endsWith('/2')).sort()).toEqual(['0003*025/2', '0003*300/2']);
  });

  it('a queue call answers by itself with the least busy agent', async () => {
    // The seed's queue call already talks to 0003*024, so 0003*025 is the free agent.
    const id = await place({ to: '0003*300', from: '7770002' });
    await waitUntil('the second view of the call', async () => sb.world.calls.get(id)?.views.length === 2);
    expect(sb.world.calls.get(id)?.views[1]?.extension).toBe('0003*025');
  });

  it('an extension dialling a public number fires Dial-Out, Answer on outgoing call and Hangup OUT', async () => {
    await registerAllEvents(sb.url, org, '0003*210', sink.url);
    const id = await place({ from: '0003*210', to: '+15550001111' });
    await sink.waitFor((r) => r.some((e) => eventKey(e) === '0003*210/4'));
    expect(await keys()).toEqual(['0003*210/1', '0003*210/4']);
    expect(sink.received[0]?.params).toEqual({
      CallID: id,
      CallerIDNum: '3333',
      CallerIDName: 'John Doe',
      CallerExtension: '0003*210',
      CalledNumber: '+15550001111',
      CallStatus: 'CALLING',
      CallFlow: 'OUT',
    });
    expect(sink.received[1]?.params).toMatchObject({ CallStatus: 'ANSWER', CallFlow: 'OUT' });
    await ctl(`calls/${id}/hangup`);
    expect(await keys()).toEqual(['0003*210/1', '0003*210/4', '0003*210/2']);
    expect(sink.received[2]?.params).toMatchObject({ CallStatus: 'ANSWER', CallFlow: 'OUT' });
  });
});

describe('refusals', () => {
  it.each([
    ['an unknown call', 'calls/00000000000000000000/hold', undefined, 404, 'call_not_found'],
    ['an unknown control', 'calls/b817d2618fe6f1804333/explode', undefined, 404, 'control_invalid'],
    ['answering a call that is not ringing', 'calls/b817d2618fe6f1804333/answer', undefined, 409, 'call_state_invalid'],
    ['resuming a call that is not held', 'calls/b817d2618fe6f1804333/resume', undefined, 409, 'call_state_invalid'],
    ['holding a parked call', 'calls/c0ffee0011223344aabb/hold', undefined, 409, 'call_state_invalid'],
    ['parking a parked call', 'calls/c0ffee0011223344aabb/park', undefined, 409, 'call_state_invalid'],
    ['an unknown view', 'calls/b817d2618fe6f1804333/hold', { view: '07' }, 404, 'view_not_found'],
    ['a body that is not an object', 'calls/b817d2618fe6f1804333/hold', [1], 400, 'control_invalid'],
    ['transfer with nowhere to go', 'calls/b817d2618fe6f1804333/transfer', { to: 'nowhere' }, 400, 'control_invalid'],
    ['park for too long', 'calls/b817d2618fe6f1804333/park', { maxInParking: 99999 }, 400, 'control_invalid'],
    ['a dial-out to something that is not a number', 'calls', { from: '0003*210', to: 'pizza' }, 400, 'control_invalid'],
  ])('%s → %s, with a message', async (_name, path, body, status, code) => {
    const r = await ctl(path, body);
    expect({ status: r.status, code: r.json.error.code }).toEqual({ status, code });
    expect(r.json.error.message).toMatch(/\w{3,}/);
  });

  it('holding a call that is still ringing → 409, and nothing changed', async () => {
    const id = await place({ to: '0003*210', autoAnswer: false });
    const r = await ctl(`calls/${id}/hold`);
    expect(r.status).toBe(409);
    expect(r.json.error.message).toContain('not answered');
    expect(sb.world.calls.get(id)?.views[0]?.onHold).toBeUndefined();
  });
});

describe('dropEvents fault', () => {
  it('drops the given share of deliveries, repeatably with a seed, and counts them', async () => {
    await registerAllEvents(sb.url, org, '0003*025', sink.url);
    const run = async (): Promise<string[]> => {
      sb.reset();
      await registerAllEvents(sb.url, org, '0003*025', sink.url);
      sink.received.length = 0;
      expect((await ctl('faults', { dropEvents: 0.5, seed: 42 })).status).toBe(200);
      const before = sb.deliveries();
      for (let i = 0; i < 10; i += 1) {
        const id = await place({ to: '0003*025', from: `55501${String(i).padStart(2, '0')}`, autoAnswer: false });
        await ctl(`calls/${id}/answer`);
        await ctl(`calls/${id}/hangup`);
      }
      await sb.idle();
      const after = sb.deliveries();
      const dropped = after.dropped - before.dropped;
      const delivered = after.delivered - before.delivered;
      expect(dropped + delivered).toBe(30); // Dial-In, Answer, Hangup for each of 10 calls
      expect(dropped).toBeGreaterThan(5);
      expect(delivered).toBeGreaterThan(5);
      expect(sink.received).toHaveLength(delivered);
      return sink.received.map((e) => `${eventKey(e)}`);
    };
    const first = await run();
    const second = await run();
    expect(second).toHaveLength(first.length);

    const world = (await (await fetch(`${sb.url}/_sandbox/world`)).json()) as any;
    expect(world.faults).toEqual({ dropEvents: 0.5, seed: 42 });
    expect(world.deliveries).toMatchObject({ pending: 0 });
    expect(world.deliveries.dropped).toBeGreaterThan(0);
  });

  it('dropEvents 1 sends nothing; 0 sends everything', async () => {
    await registerAllEvents(sb.url, org, '0003*210', sink.url);
    await ctl('faults', { dropEvents: 1 });
    await place({ to: '0003*210', autoAnswer: false });
    expect(await keys()).toEqual([]);
    await ctl('faults', { dropEvents: 0 });
    await place({ to: '0003*210', autoAnswer: false });
    expect(await keys()).toEqual(['0003*210/0']);
  });

  it.each([[2], [-0.1], ['half']])('dropEvents %j → 400 with a message', async (v) => {
    const r = await ctl('faults', { dropEvents: v });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toContain('dropEvents');
  });
});
