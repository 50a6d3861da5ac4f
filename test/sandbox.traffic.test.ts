/**
 * Sandbox PBX traffic (POST /_sandbox/traffic): generated calls ring, are
 * answered, held and resumed, parked and taken back, transferred and hung up,
 * firing call events all the way; {callsPerMinute: 0} stops it. Short times
 * (fractions of a second) and a seed; every wait is for a condition.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { registerAllEvents, startEventSink, type EventSink } from './helpers/event-sink.js';
import { waitUntil } from './helpers/wait.js';

let sb: Sandbox;
let sink: EventSink;
let org: string;

async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${sb.url}/_sandbox/${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

async function traffic(): Promise<any> {
  return ((await (await fetch(`${sb.url}/_sandbox/traffic`)).json()) as any).traffic;
}

const EXTENSIONS = ['0003*210', '0003*024', '0003*025', '0003*300'];

beforeAll(async () => {
  sb = await startSandbox({ pickupDelayMs: 20 });
  sink = await startEventSink();
  org = sb.issueToken('3').accessToken;
});
afterAll(async () => {
  await sb.close();
  await sink.close();
});
beforeEach(async () => {
  sb.reset();
  await sb.idle();
  sink.received.length = 0;
});

describe('traffic', () => {
  it('generates calls that go through every state and end, with call events, until stopped', async () => {
    for (const ext of EXTENSIONS) await registerAllEvents(sb.url, org, ext, sink.url);
    const seedCalls = sb.world.calls.size;
    const started = await post('traffic', {
      callsPerMinute: 600,
      meanTalkSeconds: 0.4,
      meanRingSeconds: 0.1,
      holdShare: 0.8,
      parkShare: 0.6,
      transferShare: 0.5,
      outboundShare: 0.3,
      seed: 7,
    });
    expect(started.status).toBe(200);
    expect(started.json.traffic).toMatchObject({ running: true, config: { callsPerMinute: 600, extensions: EXTENSIONS } });

    await waitUntil(
      '20 calls placed and a few of each change',
      async () => {
        const t = await traffic();
        return t.placed >= 20 && t.held >= 2 && t.resumed >= 2 && t.parked >= 2 && t.unparked >= 2 && t.transferred >= 2 && t.hungUp >= 5;
      },
      20_000,
    );
    const stopped = await post('traffic', { callsPerMinute: 0 });
    expect(stopped.json.traffic.running).toBe(false);
    const placedAtStop = stopped.json.traffic.placed as number;

    await waitUntil('every generated call ended', async () => (await traffic()).active === 0, 20_000);
    const end = await traffic();
    expect(end.placed).toBe(placedAtStop);
    expect(end.answered).toBeGreaterThanOrEqual(placedAtStop - 1);
    expect(sb.world.calls.size).toBe(seedCalls);

    await sb.idle();
    const byType = (t: string) => new Set(sink.received.filter((e) => e.path.endsWith(`/${t}`)).map((e) => e.params.CallID));
    for (const t of ['0', '1', '2', '3', '4']) expect(byType(t).size, `events of type ${t}`).toBeGreaterThan(0);
    // Every call that started ringing on a watched extension ended there with a Hangup.
    const started0 = new Set([...byType('0'), ...byType('1')]);
    const hungUp = byType('2');
    expect([...started0].filter((id) => !hungUp.has(id))).toEqual([]);
    for (const e of sink.received) {
      expect(Object.keys(e.params).sort()).toEqual(expect.arrayContaining(['CallFlow', 'CallID', 'CallStatus', 'CalledNumber', 'CallerIDNum']));
    }
  });

  it('keeps 100 and more calls live at once, and the PBX still answers', async () => {
    await post('traffic', { callsPerMinute: 3000, meanTalkSeconds: 20, meanRingSeconds: 0.2, seed: 11 });
    await waitUntil('100 live calls', async () => (await traffic()).active >= 100, 20_000);
    const res = await fetch(`${sb.url}/uapi/phoneCalls/@me/0003*210?count=5000`, { headers: { Authorization: `Bearer ${org}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).entry.length).toBeGreaterThan(10);
    await post('traffic', { callsPerMinute: 0 });
    sb.reset(); // ends them all at once
    expect((await traffic()).active).toBe(0);
  });

  it('callerNames: inbound callers carry those SIP display names, any characters, quoted', async () => {
    const name = '<!channel> "*x*" <@U999>';
    const r = await post('traffic', { callsPerMinute: 600, seed: 7, extensions: ['0003*210'], outboundShare: 0, callerNames: [name] });
    expect(r.status).toBe(200);
    const callerIds = () => [...sb.world.calls.values()].flatMap((c) => c.views.map((v) => v.callerId ?? ''));
    await waitUntil('a generated call with the name', async () => callerIds().some((id) => id.startsWith('"<!channel> \\"*x*\\" <@U999>" <')), 20_000);
    await post('traffic', { callsPerMinute: 0 });
  });

  it('reset stops the traffic', async () => {
    await post('traffic', { callsPerMinute: 60 });
    expect((await traffic()).running).toBe(true);
    await post('reset', {});
    expect((await traffic()).running).toBe(false);
  });

  it.each([
    [{}, 'callsPerMinute'],
    [{ callsPerMinute: -1 }, 'callsPerMinute'],
    [{ callsPerMinute: 'lots' }, 'callsPerMinute'],
    [{ callsPerMinute: 10, holdShare: 1.5 }, 'holdShare'],
    [{ callsPerMinute: 10, meanTalkSeconds: 0 }, 'meanTalkSeconds'],
    [{ callsPerMinute: 10, extensions: [] }, 'extensions'],
    [{ callsPerMinute: 10, extensions: ['0003*500'] }, '0003*500'],
    [{ callsPerMinute: 10, extensions: ['0003*999'] }, '0003*999'],
    [{ callsPerMinute: 10, seed: 1.5 }, 'seed'],
    [{ callsPerMinute: 10, callerNames: ['two\nlines'] }, 'callerNames'],
    [{ callsPerMinute: 10, speed: 'fast' }, 'speed'],
    [[1, 2], 'JSON object'],
  ])('%j → 400 naming %s', async (body, word) => {
    const r = await post('traffic', body);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('request_invalid');
    expect(r.json.error.message).toContain(word);
    expect((await traffic()).running).toBe(false);
  });
});
