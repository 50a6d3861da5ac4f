/**
 * Sandbox PBX, more phone terminals (POST /_sandbox/extensions): load tests add
 * a thousand desk phones, each owned by its own user; they take calls, list them
 * to their owner and to the Organization account, take traffic, and go on reset.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { waitUntil } from './helpers/wait.js';

let sb: Sandbox;
let org: string;

async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${sb.url}/_sandbox/${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

const list = async (token: string, ext: string) => {
  const res = await fetch(`${sb.url}/uapi/phoneCalls/@me/${ext}?count=100`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, json: (await res.json()) as any };
};

beforeAll(async () => {
  sb = await startSandbox({ pickupDelayMs: 20 });
  org = sb.issueToken('3').accessToken;
});
afterAll(async () => {
  await sb.close();
});
beforeEach(() => {
  sb.reset();
});

describe('POST /_sandbox/extensions', () => {
  it('adds 1,000 phone terminals of organization 3, each owned by its own user', async () => {
    const r = await post('extensions', { count: 1000 });
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ added: 1000, first: '0003*1000', last: '0003*1999' });
    const ext = sb.world.extensions.get('0003*1500')!;
    expect(ext).toMatchObject({ type: 'phoneTerminal', orgId: '3', answers: true });
    expect(sb.world.users.get(ext.ownerId)).toMatchObject({ orgId: '3', role: 'user' });

    const call = await post('calls', { to: '0003*1500', from: '5550199' });
    expect(call.status).toBe(201);
    await waitUntil('the new phone answered', async () => (await list(org, '0003*1500')).json.entry?.[0]?.phoneCallView?.[0]?.status === '5', 5000);
    const owner = sb.issueToken(ext.ownerId).accessToken;
    expect((await list(owner, '0003*1500')).json.entry).toHaveLength(1);
    // Another desk phone's owner may not read it.
    const other = sb.issueToken(sb.world.extensions.get('0003*1501')!.ownerId).accessToken;
    expect((await list(other, '0003*1500')).status).toBeGreaterThanOrEqual(400);
  });

  it('takes generated traffic, and reset removes them', async () => {
    await post('extensions', { count: 50, first: 4000 });
    const extensions = Array.from({ length: 50 }, (_, i) => `0003*${4000 + i}`);
    expect((await post('traffic', { callsPerMinute: 3000, extensions, meanTalkSeconds: 30, meanRingSeconds: 0.1, seed: 3 })).status).toBe(200);
    await waitUntil('20 live calls on the new phones', async () => [...sb.world.calls.values()].filter((c) => extensions.includes(c.extension)).length >= 20, 10_000);
    await post('traffic', { callsPerMinute: 0 });
    sb.reset();
    expect(sb.world.extensions.has('0003*4000')).toBe(false);
  });

  it.each([
    [{}, 'count'],
    [{ count: 0 }, 'count'],
    [{ count: 10_001 }, 'count'],
    [{ count: 1.5 }, 'count'],
    [{ count: 5, orgId: '99' }, 'orgId'],
    [{ count: 5, first: -1 }, 'first'],
    [{ count: 5, extra: 1 }, 'extra'],
  ])('refuses %j (400 naming %s)', async (body, field) => {
    const r = await post('extensions', body);
    expect(r.status).toBe(400);
    expect(r.json.error.message).toContain(field);
  });

  it('refuses numbers that exist already, and adds none of them', async () => {
    const r = await post('extensions', { count: 20, first: 200 });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toContain('0003*210');
    expect(sb.world.extensions.has('0003*200')).toBe(false);
  });
});
