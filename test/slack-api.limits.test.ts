/**
 * The recording Slack API's optional rate limits (test/helpers/slack-limits.ts):
 * Tier 3 chat.update per workspace, chat.postMessage per channel with a small
 * burst, 429 + Retry-After + ratelimited, counted per method; and messages(),
 * what each channel shows rebuilt from the accepted writes.
 *
 * A fake clock drives the budgets, so nothing here waits for a window to pass
 * (except the one test of the real WebClient honouring Retry-After).
 */
import { ErrorCode, WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import { startSlackApi, type SlackApi, type StartSlackApiOptions } from './helpers/slack-api.js';
import { startStack } from './helpers/stack.js';

let api: SlackApi | undefined;
let clock = 1_000_000;
const now = () => clock;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(opts: StartSlackApiOptions = {}): Promise<SlackApi> {
  api = await startSlackApi(opts);
  return api;
}

async function call(method: string, body: Record<string, unknown>, token = 'xoxb-team-1'): Promise<{ status: number; retryAfter: string | null; json: any }> {
  const res = await fetch(`${api!.url}${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), json: await res.json() };
}

describe('off by default', () => {
  it('answers every call, however many', async () => {
    await start();
    for (let i = 0; i < 120; i += 1) expect((await call('chat.update', { channel: 'C1', ts: '1.1', text: `v${i}` })).status).toBe(200);
    expect(api!.rateLimitedCount()).toBe(0);
    expect(api!.callsTo('chat.update').some((c) => c.rateLimited)).toBe(false);
  });
});

describe('Slack limits enforced', () => {
  it('chat.update is Tier 3: 50 per minute per workspace, then 429 with Retry-After and ratelimited', async () => {
    await start({ rateLimits: { now } });
    for (let i = 0; i < 50; i += 1) expect((await call('chat.update', { channel: 'C1', ts: '1.1', text: `v${i}` })).status).toBe(200);
    const refused = await call('chat.update', { channel: 'C2', ts: '1.2', text: 'over' });
    expect(refused).toEqual({ status: 429, retryAfter: '2', json: { ok: false, error: 'ratelimited' } }); // one call per 1.2 s
    expect(api!.rateLimitedCount('chat.update')).toBe(1);
    expect(api!.callsTo('chat.update').at(-1)?.rateLimited).toBe(true);

    // Another workspace has its own budget.
    expect((await call('chat.update', { channel: 'C1', ts: '1.1', text: 'x' }, 'xoxb-team-2')).status).toBe(200);
    // The budget refills at 50 a minute: one call per 1.2 s.
    clock += 1100;
    expect((await call('chat.update', { channel: 'C1', ts: '1.1', text: 'x' })).status).toBe(429);
    clock += 100;
    expect((await call('chat.update', { channel: 'C1', ts: '1.1', text: 'x' })).status).toBe(200);
    expect((await call('chat.update', { channel: 'C1', ts: '1.1', text: 'x' })).status).toBe(429);
    expect(api!.rateLimitedCounts()).toEqual({ 'chat.update': 3 });
  });

  it('chat.postMessage is about 1 a second per channel, with a burst of 3', async () => {
    await start({ rateLimits: { now } });
    for (let i = 0; i < 3; i += 1) expect((await call('chat.postMessage', { channel: 'C1', text: `m${i}` })).status).toBe(200);
    const refused = await call('chat.postMessage', { channel: 'C1', text: 'too fast' });
    expect(refused).toMatchObject({ status: 429, retryAfter: '1', json: { ok: false, error: 'ratelimited' } });
    expect((await call('chat.postMessage', { channel: 'C2', text: 'other channel' })).status).toBe(200);
    clock += 1000;
    expect((await call('chat.postMessage', { channel: 'C1', text: 'later' })).status).toBe(200);
    expect((await call('chat.postMessage', { channel: 'C1', text: 'again' })).status).toBe(429);
    expect(api!.rateLimitedCount('chat.postMessage')).toBe(2);
    expect(api!.messages('C1').map((m) => m.text)).toEqual(['m0', 'm1', 'm2', 'later']);
  });

  it('chat.postEphemeral is Tier 4 (100 a minute); methods without a rule are not limited', async () => {
    await start({ rateLimits: { now } });
    for (let i = 0; i < 100; i += 1) expect((await call('chat.postEphemeral', { channel: 'C1', user: 'U1', text: 'x' })).status).toBe(200);
    expect((await call('chat.postEphemeral', { channel: 'C1', user: 'U1', text: 'x' })).status).toBe(429);
    for (let i = 0; i < 150; i += 1) expect((await call('auth.test', {})).status).toBe(200);
    expect(api!.rateLimitedCounts()).toEqual({ 'chat.postEphemeral': 1 });
  });

  it('limits and windows are configurable, so tests use small ones', async () => {
    await start({ rateLimits: { now, timeScale: 0.01, limits: { 'chat.update': { limit: 5, windowMs: 60_000, per: 'team' }, 'chat.postEphemeral': null } } });
    for (let i = 0; i < 5; i += 1) expect((await call('chat.update', { channel: 'C1', ts: '1.1' })).status).toBe(200);
    expect((await call('chat.update', { channel: 'C1', ts: '1.1' })).status).toBe(429);
    clock += 120; // 5 per 600 ms: one call per 120 ms
    expect((await call('chat.update', { channel: 'C1', ts: '1.1' })).status).toBe(200);
    for (let i = 0; i < 300; i += 1) expect((await call('chat.postEphemeral', { channel: 'C1', user: 'U1' })).status).toBe(200);
  });

  it('waitFor() resolves on an accepted call, never on a refused one', async () => {
    await start({ rateLimits: { now, limits: { 'chat.update': { limit: 1, windowMs: 1000, per: 'team' } } } });
    await call('chat.update', { channel: 'C1', ts: '1.1', text: 'first' });
    const later = api!.waitFor('chat.update', (c) => c.body.text === 'second', 5000);
    await call('chat.update', { channel: 'C1', ts: '1.1', text: 'second' }); // refused
    clock += 1000;
    await call('chat.update', { channel: 'C1', ts: '1.1', text: 'second' }); // accepted
    const got = await later;
    expect(got.rateLimited).toBeUndefined();
    expect(api!.callsTo('chat.update').map((c) => c.rateLimited ?? false)).toEqual([false, true, false]);
  });

  it('the real WebClient sees ratelimited (rejectRateLimitedCalls) or waits Retry-After and retries', async () => {
    await start({ rateLimits: { limits: { 'chat.update': { limit: 1, windowMs: 900, per: 'team' } } } });
    const strict = new WebClient('xoxb-team-1', { slackApiUrl: api!.url, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    await strict.chat.update({ channel: 'C1', ts: '1.1', text: 'a' });
    await expect(strict.chat.update({ channel: 'C1', ts: '1.1', text: 'b' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError, retryAfter: 1,
    });
    const patient = new WebClient('xoxb-team-1', { slackApiUrl: api!.url, retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 } });
    const res = await patient.chat.update({ channel: 'C1', ts: '1.1', text: 'c' });
    expect(res.ok).toBe(true);
    // Sent within 900 ms of the last accepted update: refused first, then retried after Retry-After.
    expect(api!.callsTo('chat.update').filter((c) => c.body.text === 'c').map((c) => c.rateLimited ?? false)).toEqual([true, false]);
    expect(api!.rateLimitedCount('chat.update')).toBe(2);
  });
});

describe('messages(): what a channel shows', () => {
  it('posts, updates, thread replies, broadcasts and deletes; refused writes change nothing', async () => {
    await start({ rateLimits: { now, limits: { 'chat.update': { limit: 2, windowMs: 60_000, per: 'team' } } } });
    const card = (await call('chat.postMessage', { channel: 'C9', text: 'ringing', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'ringing' } }] })).json.ts as string;
    const other = (await call('chat.postMessage', { channel: 'C9', text: 'another' })).json.ts as string;
    await call('chat.postMessage', { channel: 'C9', text: 'answered by 0003*024', thread_ts: card });
    clock += 1000;
    await call('chat.postMessage', { channel: 'C9', text: 'on hold too long', thread_ts: card, reply_broadcast: 'true' });
    await call('chat.update', { channel: 'C9', ts: card, text: 'on call', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'on call' } }] });
    await call('chat.update', { channel: 'C9', ts: card, text: 'on hold' });
    expect((await call('chat.update', { channel: 'C9', ts: card, text: 'ended' })).status).toBe(429);
    await call('chat.delete', { channel: 'C9', ts: other });

    const shown = api!.messages('C9');
    expect(shown.map((m) => m.text)).toEqual(['on hold', 'on hold too long']);
    const first = shown[0]!;
    expect(first).toMatchObject({ ts: card, updates: 2, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'on call' } }] });
    expect(first.replies.map((r) => r.text)).toEqual(['answered by 0003*024', 'on hold too long']);
    expect(shown[1]).toMatchObject({ threadTs: card, broadcast: true });
    expect(api!.message('C9', card)?.text).toBe('on hold');
    expect(api!.messages('C1')).toEqual([]);
  });

  it('an override answering an error changes nothing', async () => {
    await start();
    const ts = (await call('chat.postMessage', { channel: 'C1', text: 'v1' })).json.ts as string;
    api!.respondWith('chat.update', { ok: false, error: 'message_not_found' }, { times: 1 });
    await call('chat.update', { channel: 'C1', ts, text: 'v2' });
    expect(api!.message('C1', ts)?.text).toBe('v1');
    await call('chat.update', { channel: 'C1', ts, text: 'v3' });
    expect(api!.message('C1', ts)).toMatchObject({ text: 'v3', updates: 1 });
  });
});

describe('the whole stack', () => {
  it('startStack({ slackRateLimits }) gives the app a Slack that enforces them', async () => {
    const stack = await startStack({ slackRateLimits: { now, limits: { 'chat.update': { limit: 2, windowMs: 60_000, per: 'team' } } } });
    try {
      api = stack.api;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await call('chat.update', { channel: 'C1', ts: '1.1', text: 'x' })).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      api = undefined;
      await stack.close();
    }
  });
});
