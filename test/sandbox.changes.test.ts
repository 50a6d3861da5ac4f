/**
 * The sandbox's change log (GET /_sandbox/changes): every call state change the
 * PBX made, with its time — from requests, desk controls and timers alike. It is
 * the ground truth the supervisor board's benchmark measures cards against.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type CallChange, type Sandbox } from '../src/sandbox/server.js';

let sb: Sandbox;

async function post(path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${sb.url}/_sandbox/${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
  return res.json();
}

async function changesSince(seq: number): Promise<{ changes: CallChange[]; last: number }> {
  return (await (await fetch(`${sb.url}/_sandbox/changes?since=${seq}`)).json()) as { changes: CallChange[]; last: number };
}

beforeAll(async () => { sb = await startSandbox({ pickupDelayMs: 30 }); });
afterAll(() => sb.close());
beforeEach(() => sb.reset());

describe('change log', () => {
  it('records each state of a call, in order, with times, and nothing when nothing changed', async () => {
    const { last } = await changesSince(0);
    const id = (await post('calls', { to: '0003*025', autoAnswer: false })).id as string;
    await post(`calls/${id}/answer`);
    await post(`calls/${id}/hold`);
    await post(`calls/${id}/resume`);
    await post(`calls/${id}/park`);
    await post(`calls/${id}/resume`);
    await fetch(`${sb.url}/_sandbox/world`); // a read changes nothing
    await post(`calls/${id}/hangup`);
    const { changes, last: now } = await changesSince(last);
    expect(changes.map((c) => [c.callId, c.state])).toEqual([
      [id, 'ringing'], [id, 'on call'], [id, 'on hold'], [id, 'on call'], [id, 'parked'], [id, 'on call'], [id, 'ended'],
    ]);
    expect(changes.map((c) => c.seq)).toEqual(changes.map((_, i) => last + 1 + i));
    expect(now).toBe(last + 7);
    for (let i = 1; i < changes.length; i += 1) expect(changes[i]!.at).toBeGreaterThanOrEqual(changes[i - 1]!.at);
    expect(changes[2]?.detail).toContain('hold');
    expect((await changesSince(now)).changes).toEqual([]);
  });

  it('sees changes made by timers (a phone picking up by itself) and tells subscribers', async () => {
    const seen: CallChange[] = [];
    const stop = sb.changes.subscribe((c) => seen.push(c));
    const id = (await post('calls', { to: '0003*210' })).id as string;
    const deadline = Date.now() + 5000;
    while (!seen.some((c) => c.callId === id && c.state === 'on call')) {
      if (Date.now() > deadline) throw new Error(`no 'on call' change: ${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    stop();
    expect(seen.filter((c) => c.callId === id).map((c) => c.state)).toEqual(['ringing', 'on call']);
  });

  it('the seed calls are there from the start; a reset ends the live ones and brings the seed back', async () => {
    const all = sb.changes.since(0);
    expect(all.some((c) => c.callId === 'c0ffee0011223344aabb' && c.state === 'parked')).toBe(true);
    const mark = all.at(-1)?.seq ?? 0;
    const id = (await post('calls', { to: '0003*210', autoAnswer: false })).id as string;
    await post('reset');
    const after = sb.changes.since(mark);
    expect(after.find((c) => c.callId === id && c.state === 'ended')).toBeDefined();
  });

  it('since must be a whole number', async () => {
    const res = await fetch(`${sb.url}/_sandbox/changes?since=-1`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.message).toContain('since');
  });
});
