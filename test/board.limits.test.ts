/**
 * The board against a Slack API that enforces rate limits (429 + Retry-After):
 * the writer's own budget is set above Slack's here, so it does run into 429s;
 * it must wait for Retry-After (never a second 429 in a row), send the
 * then-current state, and converge. With 100 concurrent calls in one channel it
 * switches to the compact summary.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers/stack.js';
import { cardsOf, headOf, trackPosts } from './helpers/board.js';
import { waitUntil } from './helpers/wait.js';
import { boardDriver } from './helpers/board-driver.js';
import type { RecordedCall } from './helpers/slack-api.js';

const CH = 'CBOARD4';
let s: Stack;
let posted: Map<number, string>;

afterEach(async () => {
  await s?.close();
});

const { command, reply, sandboxPost } = boardDriver(() => s, CH);

/** Longest run of consecutive 429s among these calls. */
function longest429Run(calls: RecordedCall[]): number {
  let run = 0;
  let max = 0;
  for (const c of calls) {
    run = c.rateLimited ? run + 1 : 0;
    max = Math.max(max, run);
  }
  return max;
}

describe('supervisor board within Slack rate limits', () => {
  it('over-budget writes meet 429s: it waits for Retry-After, never gets a second 429 in a row, and converges', async () => {
    s = await startStack({
      boardEvents: true,
      // Slack here: 1 chat.update per 400 ms, 1 post per 200 ms per channel; the board is told it may do more.
      slackRateLimits: { limits: { 'chat.update': { limit: 5, windowMs: 2000, burst: 1, per: 'team' }, 'chat.postMessage': { limit: 5, windowMs: 1000, burst: 2, per: 'channel' } } },
      board: { timing: { liveMs: 100, idleMs: 1000, maxBackoffMs: 500 }, budgets: { updatesPerMinute: 600, updateBurst: 3, postsPerSecond: 20, postBurst: 4, compactBacklog: 1000 } },
    });
    posted = trackPosts(s.api);
    await s.link('UA', '12', '0003*210');
    await command('UA', 'watch 0003*210');
    await reply('UA', /Watching/);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(String((await sandboxPost('/_sandbox/calls', { to: '0003*210', from: `555100${i}` })).id));
    for (const id of ids) await waitUntil(`card ${id}`, () => cardsOf(s.api, posted, CH, id).length === 1, 15_000);
    for (const id of ids) await sandboxPost(`/_sandbox/calls/${id}/hold`, {});
    for (const id of ids.slice(0, 3)) await sandboxPost(`/_sandbox/calls/${id}/resume`, {});
    for (const id of ids.slice(3)) await sandboxPost(`/_sandbox/calls/${id}/hangup`, {});

    for (const id of ids.slice(0, 3)) await waitUntil(`${id} talking again`, () => /talking/.test(headOf(cardsOf(s.api, posted, CH, id)[0]!)), 20_000);
    for (const id of ids.slice(3)) await waitUntil(`${id} ended`, () => /ended/.test(headOf(cardsOf(s.api, posted, CH, id)[0]!)), 20_000);
    expect(s.api.rateLimitedCount()).toBeGreaterThan(0); // the limits were really hit
    expect(longest429Run(s.api.callsTo('chat.update'))).toBe(1);
    expect(longest429Run(s.api.callsTo('chat.postMessage').filter((c) => c.body.channel === CH))).toBe(1);
    for (const id of ids) expect(cardsOf(s.api, posted, CH, id)).toHaveLength(1);
  }, 60_000);

  it('within Slack default limits the board itself never causes a 429', async () => {
    s = await startStack({
      boardEvents: true,
      slackRateLimits: true,
      board: { timing: { liveMs: 100, idleMs: 1000, maxBackoffMs: 500 } },
    });
    posted = trackPosts(s.api);
    await s.link('UA', '12', '0003*210');
    await command('UA', 'watch 0003*210');
    await reply('UA', /Watching/);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(String((await sandboxPost('/_sandbox/calls', { to: '0003*210', from: `555200${i}` })).id));
    for (const id of ids) await waitUntil(`card ${id}`, () => cardsOf(s.api, posted, CH, id).length === 1, 15_000);
    for (const id of ids) await sandboxPost(`/_sandbox/calls/${id}/hangup`, {});
    for (const id of ids) await waitUntil(`${id} ended`, () => /ended/.test(headOf(cardsOf(s.api, posted, CH, id)[0]!)), 20_000);
    await s.slack.idle();
    expect(s.api.rateLimitedCount()).toBe(0);
  }, 60_000);
});

describe('compact summary', () => {
  it('a channel whose changes outrun its budget share gets one summary message, and per-call cards again when it calms down', async () => {
    s = await startStack({
      boardEvents: true,
      slackRateLimits: true,
      board: { timing: { liveMs: 100, idleMs: 1000, maxBackoffMs: 500 }, budgets: { updatesPerMinute: 30, updateBurst: 1, compactBacklog: 4, compactMinMs: 1500 } },
    });
    posted = trackPosts(s.api);
    await s.link('UA', '12', '0003*210');
    await command('UA', 'watch 0003*210');
    await reply('UA', /Watching/);
    await waitUntil('seed cards', () => cardsOf(s.api, posted, CH, 'b817d2618fe6f1804333').length === 1, 15_000);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(String((await sandboxPost('/_sandbox/calls', { to: '0003*210', from: `555300${String(i).padStart(2, '0')}` })).id));
    // Changes on many calls at once: more than the update budget share allows.
    await waitUntil('the board has seen them', () => s.slack.board.board.liveCalls('T1', CH).length >= 14, 15_000);
    for (const id of ids) await sandboxPost(`/_sandbox/calls/${id}/hold`, {}).catch(() => undefined);
    const summary = await waitUntil('a compact summary', () => s.api.messages(CH).find((m) => /busy channel: one summary/.test(JSON.stringify(m.blocks ?? m.text))), 20_000);
    // One line per live call in that one message.
    await waitUntil(
      'every held call in the summary',
      () => {
        const now = JSON.stringify(s.api.message(CH, summary.ts)?.blocks ?? '');
        return ids.every((_, i) => now.includes(`555300${String(i).padStart(2, '0')}`)) && (now.match(/on hold since/g)?.length ?? 0) >= 12;
      },
      20_000,
    );
    for (const id of ids) await sandboxPost(`/_sandbox/calls/${id}/hangup`, {});
    await waitUntil('calm again', () => /calm again/.test(JSON.stringify(s.api.message(CH, summary.ts)?.blocks ?? '')), 30_000);
    expect(s.api.rateLimitedCount()).toBe(0);
  }, 60_000);
});

describe('busy extensions', () => {
  it('an extension with more live calls than VoipNow lists by default (20) shows them all, and ends none of them', async () => {
    s = await startStack({
      boardEvents: true,
      board: { timing: { liveMs: 150, idleMs: 1000, maxBackoffMs: 500 }, budgets: { updatesPerMinute: 600, updateBurst: 5, postsPerSecond: 50, postBurst: 10, compactBacklog: 1000 } },
    });
    posted = trackPosts(s.api);
    await s.link('UA', '12', '0003*210');
    await command('UA', 'watch 0003*210');
    await reply('UA', /Watching/);
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push(String((await sandboxPost('/_sandbox/calls', { to: '0003*210', from: `55540${String(i).padStart(2, '0')}` })).id));
    for (const id of ids) await waitUntil(`card ${id}`, () => cardsOf(s.api, posted, CH, id).length === 1, 20_000);
    // Several more reads: a call beyond the first page must not be taken for ended.
    const reads = () => s.sandbox.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/uapi/phoneCalls/')).length;
    const after = reads();
    await waitUntil('more reads', () => reads() >= after + 5);
    await s.slack.idle();
    for (const id of ids) expect(headOf(cardsOf(s.api, posted, CH, id)[0]!)).not.toMatch(/ended/);
  }, 60_000);
});
