/**
 * The board when things go wrong: lost PhoneCallEvents, forged or garbage
 * requests at the receiver, and the watch owner's VoipNow link expiring.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers/stack.js';
import { cardsOf, headOf, trackPosts } from './helpers/board.js';
import { waitUntil } from './helpers/wait.js';
import { boardDriver } from './helpers/board-driver.js';

const CH = 'CBOARD2';
let s: Stack;
let posted: Map<number, string>;

afterEach(async () => {
  await s?.close();
});

async function boot(timing: { liveMs: number; idleMs: number; maxBackoffMs: number }) {
  s = await startStack({ boardEvents: true, board: { timing, budgets: { postsPerSecond: 20, postBurst: 5, updatesPerMinute: 600, updateBurst: 5 } } });
  posted = trackPosts(s.api);
  await s.link('UA', '12', '0003*210');
  await s.link('UC', '14', '0003*025');
}

const { command, reply, sandboxPost } = boardDriver(() => s, CH);

describe('supervisor board under faults', () => {
  it('with half of the PhoneCallEvents dropped the board still converges: every call shown, every ended one ended', async () => {
    await boot({ liveMs: 300, idleMs: 600, maxBackoffMs: 2000 });
    await sandboxPost('/_sandbox/faults', { dropEvents: 0.5, seed: 7 });
    await command('UA', 'watch 0003*210');
    await reply('UA', /Watching/);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(String((await sandboxPost('/_sandbox/calls', { to: '0003*210', from: `555000${i}` })).id));
    for (const id of ids) await waitUntil(`card of ${id}`, () => cardsOf(s.api, posted, CH, id).length === 1);
    await sandboxPost(`/_sandbox/calls/${ids[0]}/hold`, {});
    for (const id of ids.slice(1)) await sandboxPost(`/_sandbox/calls/${id}/hangup`, {});
    await waitUntil('the hold is shown', () => /on hold/.test(headOf(cardsOf(s.api, posted, CH, ids[0]!)[0]!)));
    for (const id of ids.slice(1)) await waitUntil(`ended ${id}`, () => /ended/.test(headOf(cardsOf(s.api, posted, CH, id)[0]!)));
    for (const id of ids) expect(cardsOf(s.api, posted, CH, id)).toHaveLength(1);
  });

  it('an extension that just had a call keeps the live read rate, so the next call shows although its dial-in event is lost', async () => {
    await boot({ liveMs: 300, idleMs: 120_000, maxBackoffMs: 2000 });
    await command('UC', 'watch 0003*025'); // no seed calls: idle between calls;
    await reply('UC', /Watching/);
    const first = String((await sandboxPost('/_sandbox/calls', { to: '0003*025', from: '5550100' })).id);
    await waitUntil('card of the first call', () => cardsOf(s.api, posted, CH, first).length === 1);
    await sandboxPost(`/_sandbox/calls/${first}/hangup`, {});
    await waitUntil('the first call ended', () => /ended/.test(headOf(cardsOf(s.api, posted, CH, first)[0]!)));
    // The ended card means a read listed no call: without the linger the next read would be the idle one.
    await s.slack.board.board.settled();
    // Every event lost from now on: only reads at the live rate (not the 120 s idle one) can show the next call.
    await sandboxPost('/_sandbox/faults', { dropEvents: 1, seed: 3 });
    const second = String((await sandboxPost('/_sandbox/calls', { to: '0003*025', from: '5550101' })).id);
    await waitUntil('card of the second call', () => cardsOf(s.api, posted, CH, second).length === 1, 12_000);
  });

  it('forged, unknown-secret, garbage and 1 MB event requests get 404/400, and nothing is read or posted', async () => {
    await boot({ liveMs: 300, idleMs: 60_000, maxBackoffMs: 60_000 });
    await command('UC', 'watch 0003*025'); // no live calls: read once, then only every 60 s
    await reply('UC', /Watching/);
    const [watch] = await s.store.listWatchesForChannel('T1', CH);
    const secret = watch!.secret!;
    await s.slack.board.board.settled();
    await s.slack.idle();
    const reads = () => s.sandbox.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/uapi/phoneCalls/')).length;
    const before = { reads: reads(), slack: s.api.calls.length };
    const form = 'CallID=abc&CallStatus=CALLING&CalledExtension=0003*025';
    const post = (path: string, body: string | Buffer, type = 'application/x-www-form-urlencoded') =>
      fetch(`${s.base}${path}`, { method: 'POST', headers: { 'Content-Type': type }, body }).then(async (r) => ({ status: r.status, text: await r.text() }));

    expect((await post(`/voipnow/events/${'x'.repeat(24)}`, form)).status).toBe(404); // unknown secret
    expect((await post(`/voipnow/events/${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`, form)).status).toBe(404); // forged
    expect((await post('/voipnow/events/..%2F..%2Fslack', form)).status).toBe(404);
    expect((await post(`/voipnow/events/${secret}`, '\u0000\u0001{not a form')).status).toBe(400); // garbage
    expect((await post(`/voipnow/events/${secret}`, '{"CallID":"abc"}', 'application/json')).status).toBe(400);
    expect((await post(`/voipnow/events/${secret}`, Buffer.alloc(1024 * 1024, 'a'))).status).toBe(400); // 1 MB
    expect((await fetch(`${s.base}/voipnow/events/${secret}`)).status).toBe(400); // GET without parameters
    await s.slack.board.board.settled();
    expect(reads()).toBe(before.reads);
    expect(s.api.calls.length).toBe(before.slack);

    // The same secret with a real event is read (so the refusals above were not just a dead route).
    expect((await post(`/voipnow/events/${secret}`, form)).status).toBe(204);
    await waitUntil('a read after a real event', () => reads() > before.reads);
  });

  it("the owner's expired link pauses the watch and tells the channel once, saying how to resume", async () => {
    await boot({ liveMs: 200, idleMs: 400, maxBackoffMs: 400 });
    await command('UA', 'watch 0003*210');
    await reply('UA', /Watching/);
    await waitUntil('first read', () => s.slack.board.board.watchesOf('T1', CH).then((w) => w[0]?.lastRead !== undefined));
    // The stored tokens stop working: expired, and VoipNow refuses the refresh.
    await s.slack.deps.accounts.link({ teamId: 'T1', userId: 'UA' }, { accessToken: 'revoked', refreshToken: 'revoked', expiresAt: new Date(Date.now() - 60_000) });
    const notice = await s.api.waitFor('chat.postMessage', (c) => c.body.channel === CH && /Paused watching/.test(String(c.body.text)), 8000);
    expect(String(notice.body.text)).toMatch(/Paused watching `0003\*210`.*<@UA>.*`\/call link`.*`\/call watch 0003\*210`/);
    const [w] = await s.store.listWatchesForChannel('T1', CH);
    expect(w!.pausedAt).toBeInstanceOf(Date);
    const watching = await command('UB', 'watching');
    expect((watching.json as { text: string }).text).toMatch(/paused since/);
    // Paused means paused: no more reads, no second message.
    const reads = s.sandbox.requests.length;
    await s.slack.board.board.settled();
    await s.slack.idle();
    expect(s.api.calls.filter((c) => /Paused watching/.test(String(c.body.text ?? '')))).toHaveLength(1);
    expect(s.sandbox.requests.length).toBe(reads);

    // The owner links again: the watch resumes by itself, the channel is told once, and new calls show.
    await s.link('UA', '12', '0003*210');
    const resumed = await s.api.waitFor('chat.postMessage', (c) => c.body.channel === CH && /Resumed watching/.test(String(c.body.text)), 8000);
    expect(String(resumed.body.text)).toMatch(/Resumed watching `0003\*210`: <@UA> linked VoipNow again/);
    expect((await s.store.listWatchesForChannel('T1', CH))[0]!.pausedAt).toBeUndefined();
    const id = String((await sandboxPost('/_sandbox/calls', { to: '0003*210', from: '5550200' })).id);
    await waitUntil('a new call shows after the resume', () => cardsOf(s.api, posted, CH, id).length === 1);
    await s.slack.board.board.settled();
    await s.slack.idle();
    expect(s.api.calls.filter((c) => /Resumed watching/.test(String(c.body.text ?? '')))).toHaveLength(1);
    expect((await command('UB', 'watching')).json).toMatchObject({ text: expect.not.stringMatching(/paused/) });

    // Watching again (e.g. by another linked supervisor) takes the watch over.
    await s.link('UA', '12', '0003*210');
    await command('UA', 'watch 0003*210');
    await reply('UA', /Watching again/);
    expect((await s.store.listWatchesForChannel('T1', CH))[0]!.pausedAt).toBeUndefined();
  });
});
