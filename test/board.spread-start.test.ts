/**
 * A board that starts with many watches (a restart, a takeover) spreads their first reads
 * instead of sending them all to the PBX at once, 2 ms apart: 1,000 watches start over 2 s,
 * and their polls keep that spread.
 */
import { afterEach, expect, it } from 'vitest';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { slashCommand } from './helpers/signed.js';
import { waitUntil } from './helpers/wait.js';

const CH = 'CSPREAD';
const COUNT = 60;
let s: Stack | undefined;

afterEach(async () => {
  await s?.close();
  s = undefined;
});

it('a restarted board with 60 watches reads them spread over at least 118 ms, each once', async () => {
  s = await startStack({ supervisors: ['UORG'], board: { timing: { liveMs: 60_000, idleMs: 60_000, maxBackoffMs: 60_000 } } });
  const stack = s;
  await stack.link('UORG', '3');
  const added = await fetch(`${stack.sandbox.url}/_sandbox/extensions`, { method: 'POST', body: JSON.stringify({ count: COUNT, first: 7000 }) });
  expect(added.status).toBe(201);
  const extensions = Array.from({ length: COUNT }, (_, i) => `0003*${7000 + i}`);
  for (let i = 0; i < COUNT; i += 20) {
    const path = `/w/${i}`;
    await slashCommand(stack.base, SIGNING_SECRET, { user_id: 'UORG', text: `watch ${extensions.slice(i, i + 20).join(' ')}`, channel_id: CH, response_url: stack.api.responseUrl(path) });
    await stack.api.waitFor('response_url', (c) => c.path.endsWith(path) && (String(c.body.text).match(/:eyes:/g) ?? []).length === 20, 15_000);
  }
  await stack.slack.board.board.settled();

  // When each board read reaches the PBX after the restart.
  const arrivals: number[] = [];
  const requests = stack.sandbox.requests;
  const push = requests.push.bind(requests);
  requests.push = (...records) => {
    for (const r of records) if (r.method === 'GET' && r.path.startsWith('/uapi/phoneCalls/@me/0003*7')) arrivals.push(performance.now());
    return push(...records);
  };
  await stack.restart();
  await waitUntil('every watch read once after the restart', () => arrivals.length >= COUNT, 15_000);
  await stack.slack.board.board.settled();
  expect(arrivals.length).toBe(COUNT);
  // Started 2 ms apart: the first and the last read at least 59 × 2 ms apart (all at once: within a few ms).
  expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeGreaterThanOrEqual((COUNT - 1) * 2 - 1);
});
