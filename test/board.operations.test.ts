/**
 * The board seen by an operator: every board write logs one line with its
 * outcome and duration, its Slack calls are counted in /metrics like any other
 * Web API call, and the board's staleness is a gauge per channel.
 */
import { afterEach, expect, it } from 'vitest';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { slashCommand } from './helpers/signed.js';
import { cardsOf, trackPosts } from './helpers/board.js';
import { waitUntil } from './helpers/wait.js';

const CH = 'CBOARDOPS';
let s: Stack | undefined;

afterEach(async () => {
  await s?.close();
  s = undefined;
});

it('board writes log a line each, count in /metrics, and report the board staleness per channel', async () => {
  const lines: string[] = [];
  s = await startStack({
    logLines: lines,
    boardEvents: true,
    board: { timing: { liveMs: 300, idleMs: 5000, maxBackoffMs: 2000 }, budgets: { postsPerSecond: 20, postBurst: 5, updatesPerMinute: 600, updateBurst: 5 } },
  });
  const stack = s;
  const posted = trackPosts(stack.api);
  await stack.link('UA', '12', '0003*210');
  await slashCommand(stack.base, SIGNING_SECRET, { user_id: 'UA', text: 'watch 0003*210', channel_id: CH, response_url: stack.api.responseUrl('/cmd') });
  const seed = 'b817d2618fe6f1804333';
  await waitUntil('the seed call on the board', () => cardsOf(stack.api, posted, CH, seed).length === 1);
  await stack.slack.idle();

  const writes = lines.filter((l) => l.includes('board write'));
  expect(writes.length).toBeGreaterThan(0);
  expect(writes.some((l) => /"outcome":"ok"/.test(l) && /"ms":\d+/.test(l) && l.includes(CH))).toBe(true);
  expect(lines.join('\n')).not.toContain('xoxb-');

  const text = await (await fetch(`${stack.base}/metrics`)).text();
  const posts = text.match(/^callops_slack_api_requests_total\{[^}]*method="chat\.postMessage"[^}]*\} (\d+)/m);
  expect(Number(posts?.[1] ?? 0)).toBeGreaterThan(0);
  expect(text).toMatch(new RegExp(`^callops_board_staleness_seconds\\{channel="${CH}"\\} \\d`, 'm'));
});
