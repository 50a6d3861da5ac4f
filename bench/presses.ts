/**
 * `npx tsx bench/presses.ts`: how many PUTs reach the sandbox PBX for repeated
 * presses and retried requests, through the whole app (signed requests in,
 * sandbox and recording Slack API on loopback). Figures, not a test; the
 * adversarial suite (test/adversarial.presses.test.ts) asserts the outcome.
 *
 * 1. 20 identical presses of Hold (one action_ts, as Slack retries send), spread over one second;
 * 2. 20 presses of Hold on the same card, each its own action_ts, spread over one second;
 * 3. `/call hold` sent once and retried twice by Slack (same trigger_id, X-Slack-Retry-Num).
 */
import { SEED_IDS } from '../src/sandbox/server.js';
import { startStack, SIGNING_SECRET, type Stack } from '../test/helpers/stack.js';
import { blockAction, blockActionPayload, formEncode, sendSigned, slashCommand, FORM } from '../test/helpers/signed.js';
import { slashCommandBody } from '../test/helpers/payloads.js';

type Block = { elements?: Array<{ action_id?: string; value?: string }> };
const CALL = SEED_IDS.seedCall;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function settle(s: Stack): Promise<void> {
  // Old builds have no drain point for the action itself: give it time, then drain what is tracked.
  await sleep(1500);
  await (s.slack as { idle?: () => Promise<void> }).idle?.();
}

async function freshCard(s: Stack) {
  s.sandbox.reset();
  s.api.clearCalls();
  let ts = '';
  const off = s.api.respondWith('chat.postMessage', (_c, d) => {
    const a = d();
    ts = String(a.ts);
    return a;
  });
  await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: `list 0003*210 ${CALL}`, response_url: s.api.responseUrl('/l') });
  const posted = await s.api.waitFor('chat.postMessage');
  off();
  await settle(s);
  const blocks = posted.body.blocks as Block[];
  const value = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.hold.01')!.value!;
  s.sandbox.requests.length = 0;
  return () => blockActionPayload({ user: 'UA', messageTs: ts, messageBlocks: blocks, actionId: 'call.hold.01', value, responseUrl: s.api.responseUrl('/p') });
}

const puts = (s: Stack) => s.sandbox.requests.filter((r) => r.method === 'PUT' && r.path.startsWith('/uapi/')).length;

async function spread(n: number, overMs: number, send: (i: number) => Promise<unknown>): Promise<void> {
  const all: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    all.push(send(i));
    await sleep(overMs / n);
  }
  await Promise.all(all);
}

const s = await startStack();
try {
  await s.link('UA', '12', '0003*210');
  s.sandbox.setFaults({ latencyMs: 20 });

  const press = await freshCard(s);
  const one = press();
  await spread(20, 1000, () => blockAction(s.base, SIGNING_SECRET, one));
  await settle(s);
  console.log(`20 identical presses (one action_ts) over 1 s: ${puts(s)} PUT(s)`);

  const press2 = await freshCard(s);
  await spread(20, 1000, () => blockAction(s.base, SIGNING_SECRET, press2()));
  await settle(s);
  console.log(`20 presses of one button on one card (own action_ts each) over 1 s: ${puts(s)} PUT(s)`);

  s.sandbox.reset();
  s.sandbox.requests.length = 0;
  const body = formEncode(slashCommandBody({ user_id: 'UA', text: `hold 0003*210 ${CALL}`, response_url: s.api.responseUrl('/h') }));
  await sendSigned(s.base, SIGNING_SECRET, body, FORM);
  await sleep(300);
  for (const n of [1, 2]) await sendSigned(s.base, SIGNING_SECRET, body, FORM, { headers: { 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_timeout' } });
  await settle(s);
  console.log(`/call hold sent once and retried twice: ${puts(s)} PUT(s)`);
} finally {
  await s.close();
}
