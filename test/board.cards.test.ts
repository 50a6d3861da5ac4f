/**
 * The supervisor board end to end: `/call watch` through the real Bolt app,
 * calls in the sandbox PBX, PhoneCallEvents posted by the sandbox to the app's
 * own receiver, and the cards read back from the recording Slack API.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { slashCommand } from './helpers/signed.js';
import { buttonsOf, cardsOf, headOf, shownMessages, threadText, trackPosts } from './helpers/board.js';
import { waitUntil } from './helpers/wait.js';
import { UapiClient, staticToken } from '../src/uapi/client.js';
import { UapiHttp } from '../src/uapi/http.js';

const CH = 'CBOARD1';
let s: Stack;
let posted: Map<number, string>;
let http: UapiHttp;

async function boot(opts: Parameters<typeof startStack>[0] = {}) {
  s = await startStack({
    boardEvents: true,
    board: { timing: { liveMs: 300, idleMs: 5000, maxBackoffMs: 2000 }, budgets: { postsPerSecond: 20, postBurst: 5, updatesPerMinute: 600, updateBurst: 5 } },
    ...opts,
  });
  posted = trackPosts(s.api);
  http = new UapiHttp({ baseUrl: s.sandbox.url, timeoutMs: 3000 });
  await s.link('UA', '12', '0003*210');
  await s.link('UB', '13', '0003*024');
}

afterEach(async () => {
  http?.close();
  await s?.close();
});

const command = (user: string, text: string, channel = CH) =>
  slashCommand(s.base, SIGNING_SECRET, { user_id: user, text, channel_id: channel, response_url: s.api.responseUrl(`/cmd/${user}`) });

/** The private answer to a watch command (after its acknowledgement). */
async function watchReply(user: string, pattern: RegExp): Promise<string> {
  const c = await s.api.waitFor('response_url', (c) => c.path.endsWith(`/cmd/${user}`) && pattern.test(String(c.body.text)), 8000);
  return String(c.body.text);
}

/** A public caller rings `to` (the sandbox control endpoint). */
async function inbound(to: string, from = '5550001'): Promise<string> {
  const res = await fetch(`${s.sandbox.url}/_sandbox/calls`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ to, from }) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** A UAPI client acting as the agent at the phone (not through Slack). */
function agent(userId: string): UapiClient {
  return new UapiClient(http, staticToken(s.sandbox.issueToken(userId).accessToken));
}

/** A person at the desk phone (no token): answer, hold, resume, park, hangup. */
async function desk(id: string, action: string, body: Record<string, unknown> = {}): Promise<void> {
  const res = await fetch(`${s.sandbox.url}/_sandbox/calls/${id}/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, `${action}: ${await res.clone().text()}`).toBe(200);
}

const card = (callId: string) => cardsOf(s.api, posted, CH, callId);

describe('supervisor board: cards', () => {
  beforeEach(async () => boot());

  it('watch registers PhoneCallEvents, and an inbound call gets a card within 3 s', async () => {
    const ack = await command('UA', 'watch 0003*210');
    expect(ack.status).toBe(200);
    expect(await watchReply('UA', /Watching/)).toMatch(/Watching `0003\*210`.*events \+ polling/);
    const ours = s.sandbox.world.events.filter((e) => e.extension === '0003*210' && e.note === 'callops board T1/CBOARD1');
    expect(ours.map((e) => e.type).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(ours.every((e) => e.method === 1 && e.url.startsWith(`${s.base}/voipnow/events/`))).toBe(true);

    const started = Date.now();
    const id = await inbound('0003*210');
    const [c] = await waitUntil('a card for the new call', () => card(id).length > 0 && card(id), 3000);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(headOf(c!)).toMatch(/5550001|John Doe/);
    // The seed calls already live on 0003*210 have their cards too, one each.
    expect(card('b817d2618fe6f1804333')).toHaveLength(1);
  });

  it('a hold made at the phone shows on the card and in its thread; hang-up ends it without buttons', async () => {
    await command('UA', 'watch 0003*210');
    await watchReply('UA', /Watching/);
    const id = await inbound('0003*210');
    await waitUntil('answered', () => /talking/.test(headOf(card(id)[0] ?? ({ blocks: [] } as never))));
    await desk(id, 'hold');
    const held = await waitUntil('card shows the hold', () => card(id).find((m) => /on hold/.test(headOf(m))));
    expect(buttonsOf(held)).toContain('call.resume.01');
    await waitUntil('thread says held', () => /put on hold/.test(threadText(card(id)[0]!)));

    await desk(id, 'hangup');
    const ended = await waitUntil('card ended', () => card(id).find((m) => /ended/.test(headOf(m))));
    expect(buttonsOf(ended)).toEqual([]);
    expect(headOf(ended)).toMatch(/answered/);
    await waitUntil('thread says ended', () => /ended after/.test(threadText(card(id)[0]!)));
    const lines = threadText(card(id)[0]!).split('\n');
    expect(lines.findIndex((l) => /put on hold/.test(l))).toBeLessThan(lines.findIndex((l) => /ended after/.test(l)));
    expect(card(id)).toHaveLength(1);
  });

  it('a call between two watched extensions is one card', async () => {
    await command('UA', 'watch 0003*210');
    await watchReply('UA', /Watching/);
    await command('UB', 'watch 0003*024'); // each watch reads as its own owner
    await watchReply('UB', /Watching/);
    const res = await fetch(`${s.sandbox.url}/uapi/phoneCalls/@me/simple`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${s.sandbox.issueToken('12').accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ extension: '0003*210', phoneCallView: [{ source: ['0003*210'], destination: ['0003*024'] }] }),
    });
    expect(res.status).toBe(200);
    const id = ((await res.json()) as Array<{ id: string }>)[0]!.id;
    await waitUntil('the call is on the board', () => card(id).length > 0);
    const reads = () => s.sandbox.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/uapi/phoneCalls/') && r.path.includes('0003*024')).length;
    const before = reads();
    await waitUntil('the 0003*024 watch has read the call too', () => reads() >= before + 2);
    await s.slack.board.board.settled();
    await s.slack.idle();
    expect(card(id)).toHaveLength(1);
  });

  it('legs say what they are: a private whisper set from `/call` shows on the card, and the thread says who did it', async () => {
    await command('UA', 'watch 0003*210');
    await watchReply('UA', /Watching/);
    const seed = 'b817d2618fe6f1804333';
    await waitUntil('seed card', () => card(seed).length === 1);
    await command('UA', `whisper 0003*210 ${seed} to 0003*025 private`);
    // (the command's own reply is a regular call card in the channel; the board card is the first one)
    await waitUntil('whisper leg on the board card', () => /whisper from `0003\*025` \(private\)/.test(JSON.stringify(card(seed)[0]!.blocks)));
    await waitUntil('the action in the thread', () => /<@UA> started whispering on the call: done/.test(threadText(card(seed)[0]!)));
    // One line per change: the leg the whisper started is that action's, not a second line.
    await s.slack.board.board.settled();
    await s.slack.idle();
    expect(threadText(card(seed)[0]!)).not.toMatch(/whisper from 0003\*025 \(private\) started/);
    expect(shownMessages(s.api, posted, CH).filter((m) => m.blocks.some((b) => b.block_id === `${seed}.leg.01`))).toHaveLength(1);
  });

  it('a change made from Slack is one audit line: the hold the board then reads adds no second one', async () => {
    await command('UA', 'watch 0003*210');
    await watchReply('UA', /Watching/);
    const seed = 'b817d2618fe6f1804333';
    await waitUntil('seed card', () => card(seed).length === 1);
    await command('UA', `hold 0003*210 ${seed}`);
    await waitUntil(
      'the hold on the board card, and who did it in its thread',
      () => /hold/i.test(headOf(card(seed)[0]!)) && /<@UA> put on hold the call.*: done/.test(threadText(card(seed)[0]!)),
    );
    await s.slack.board.board.settled();
    await s.slack.idle();
    expect(
      threadText(card(seed)[0]!)
        .split('\n')
        .filter((l) => /put on hold/.test(l)),
    ).toEqual([expect.stringMatching(/^<@UA> put on hold the call/)]);
    // A change at the desk phone is the board's own line, once.
    const res = await fetch(`${s.sandbox.url}/_sandbox/calls/${seed}/resume`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(200);
    await waitUntil('the resume in the thread', () => /resumed/.test(threadText(card(seed)[0]!)));
    await s.slack.board.board.settled();
    await s.slack.idle();
    expect(
      threadText(card(seed)[0]!)
        .split('\n')
        .filter((l) => /resumed/.test(l)),
    ).toHaveLength(1);
  });

  it('restart: a whisper callops started still shows as a whisper when the card changes afterwards', async () => {
    await command('UA', 'watch 0003*210');
    await watchReply('UA', /Watching/);
    const seed = 'b817d2618fe6f1804333';
    await waitUntil('seed card', () => card(seed).length === 1);
    await command('UA', `whisper 0003*210 ${seed} to 0003*025 private`);
    const first = await waitUntil('whisper leg on the board card', () => card(seed).find((m) => /whisper from `0003\*025` \(private\)/.test(JSON.stringify(m.blocks))));
    await s.slack.board.board.settled();
    await s.slack.idle();
    await s.restart();
    await desk(seed, 'hold');
    const held = await waitUntil('the same message shows the hold', () => card(seed).find((m) => m.ts === first.ts && /on hold/.test(headOf(m))));
    expect(JSON.stringify(held.blocks)).toMatch(/whisper from `0003\*025` \(private\)/);
  });

  it('unwatch removes exactly the PhoneCallEvents it registered', async () => {
    await command('UA', 'watch 0003*210');
    await watchReply('UA', /Watching/);
    // One per event type (5), beside the seed world's own two (the Update page's ids).
    expect(s.sandbox.world.events.filter((e) => e.extension === '0003*210')).toHaveLength(7);
    await command('UA', 'watch 0003*210'); // again: no duplicates
    await watchReply('UA', /Watching again/);
    expect(s.sandbox.world.events.filter((e) => e.extension === '0003*210')).toHaveLength(7);
    await command('UA', 'unwatch 0003*210');
    await watchReply('UA', /Stopped watching/);
    const left = s.sandbox.world.events.filter((e) => e.extension === '0003*210');
    expect(left.map((e) => e.id).sort()).toEqual(['MyPhoneCallEvent', 'NqeyDRqo4FtabmFj8gNWq3hsiGNYyq']);
    expect(await s.store.listWatchesForChannel('T1', CH)).toEqual([]);
  });

  it('/call watching says what is watched, by whom, how it is fed and when it last read', async () => {
    await command('UA', 'watch 0003*210');
    await watchReply('UA', /Watching/);
    await waitUntil('first read', () => s.slack.board.board.watchesOf('T1', CH).then((w) => w[0]?.lastRead !== undefined));
    const res = await command('UB', 'watching');
    const text = (res.json as { text: string }).text;
    expect(text).toMatch(/`0003\*210` set by <@UA> since <!date\^\d+\^.*VoipNow events \+ polling · last read the PBX <!date/);
  });

  it('VoipNow refusing the watch is a private message, and nothing is stored', async () => {
    await command('UB', 'watch 0003*210');
    const text = await watchReply('UB', /did not let you/);
    expect(text).toMatch(/VoipNow did not let you watch `0003\*210`:.*Nothing was stored/);
    expect(await s.store.listWatchesForChannel('T1', CH)).toEqual([]);
    expect(s.sandbox.world.events.filter((e) => e.note?.startsWith('callops'))).toEqual([]);
  });

  it('restart: the same messages keep updating', async () => {
    await command('UA', 'watch 0003*210');
    await watchReply('UA', /Watching/);
    const id = await inbound('0003*210');
    const first = await waitUntil('answered', () => card(id).find((m) => /talking/.test(headOf(m))));
    await s.slack.idle();
    await s.restart();
    await agent('12').act({ extension: '0003*210', phoneCallId: id }, { action: 'OnHold', phoneCallViewId: '01' });
    await waitUntil('the same message shows the hold', () => card(id).find((m) => m.ts === first.ts && /on hold/.test(headOf(m))));
    expect(card(id)).toHaveLength(1);
    await agent('12').hangUp({ extension: '0003*210', phoneCallId: id });
    await waitUntil('ended on the same message', () => card(id).find((m) => m.ts === first.ts && /ended/.test(headOf(m))));
    // After the restart the thread continued instead of starting over.
    const lines = threadText(card(id)[0]!);
    expect(lines.match(/ringing:|seen /g)?.length ?? 0).toBe(1);
  });

  it('polling alone (no PUBLIC_URL the PBX can reach) still runs the board, and says so', async () => {
    s.slack.board.board.eventsBase = undefined;
    await command('UA', 'watch 0003*210');
    expect(await watchReply('UA', /Watching/)).toMatch(/polling only/);
    expect(s.sandbox.world.events.filter((e) => e.note?.startsWith('callops'))).toEqual([]);
    const id = await inbound('0003*210');
    await waitUntil('card', () => card(id).length > 0);
    await agent('12').hangUp({ extension: '0003*210', phoneCallId: id });
    await waitUntil('ended', () => card(id).find((m) => /ended/.test(headOf(m))));
    expect((await command('UA', 'watching')).json).toMatchObject({ text: expect.stringMatching(/polling only/) });
    expect(shownMessages(s.api, posted, CH).length).toBeGreaterThan(0);
  });
});
