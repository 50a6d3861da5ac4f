/**
 * The same press never runs twice: identical presses (one action_ts), a user
 * hammering a button on one version of a card, Slack's retries of a
 * press and of a `/call`, all end in exactly one request to VoipNow. The claims
 * live in the store, so they also hold across a restart of the app.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/sandbox/server.js';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { resetStack } from './helpers/stack-reset.js';
import { blockAction, blockActionPayload, slashCommand, formEncode, sendSigned, FORM } from './helpers/signed.js';
import { slashCommandBody } from './helpers/payloads.js';
import type { RecordedCall } from './helpers/slack-api.js';
import { waitUntil } from './helpers/wait.js';

const CALL = SEED_IDS.seedCall;
type Element = { action_id?: string; value?: string };
type Block = { block_id?: string; elements?: Element[]; accessory?: Element };
const RETRY = { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' };

let s: Stack;
const postedTs: string[] = [];

beforeAll(async () => {
  s = await startStack();
});
afterAll(async () => {
  await s.close();
});
beforeEach(async () => {
  await s.slack.idle();
  resetStack(s, postedTs);
  await s.link('UA', '12', '0003*210');
});

const puts = () => s.sandbox.requests.filter((r) => r.path.startsWith('/uapi/') && r.method === 'PUT');
const allText = (c: RecordedCall) => JSON.stringify(c.body.blocks);

function buttonValue(blocks: Block[], actionId: string): string {
  for (const b of blocks) for (const e of [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])]) if (e.action_id === actionId) return e.value!;
  throw new Error(`no button ${actionId}`);
}

/** Posts a card of the seed call and returns it with its ts. */
async function card(): Promise<{ blocks: Block[]; ts: string }> {
  await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: `post 0003*210 ${CALL}`, response_url: s.api.responseUrl('/list') });
  const posted = await s.api.waitFor('chat.postMessage');
  await s.slack.idle();
  return { blocks: posted.body.blocks as Block[], ts: postedTs[0]! };
}

function holdPress(c: { blocks: Block[]; ts: string }) {
  return blockActionPayload({
    user: 'UA',
    messageTs: c.ts,
    messageBlocks: c.blocks,
    actionId: 'call.hold.01',
    value: buttonValue(c.blocks, 'call.hold.01'),
    responseUrl: s.api.responseUrl('/press'),
  });
}

describe('the same press runs once', () => {
  it('20 identical presses (one action_ts), while the first runs and after it finished: one PUT', async () => {
    const c = await card();
    const payload = holdPress(c);
    s.sandbox.setFaults({ latencyMs: 100 });
    const first = Array.from({ length: 10 }, () => blockAction(s.base, SIGNING_SECRET, payload));
    await waitUntil('the first PUT', () => puts().length > 0);
    const answers = await Promise.all(first);
    await s.slack.idle();
    const later = await Promise.all(Array.from({ length: 10 }, () => blockAction(s.base, SIGNING_SECRET, payload)));
    await s.slack.idle();
    expect([...answers, ...later].every((a) => a.status === 200)).toBe(true);
    expect(puts()).toHaveLength(1);
    expect(s.sandbox.world.calls.get(CALL)!.views[0]!.holder).toBe(1);
    expect(s.api.callsTo('chat.update').some((u) => allText(u).includes('put the call on hold'))).toBe(true);
  });

  it('20 presses of one button on a card that has not changed yet (each its own action_ts): one PUT', async () => {
    const c = await card();
    s.sandbox.setFaults({ latencyMs: 50 });
    const presses = Array.from({ length: 20 }, () => holdPress(c));
    expect(new Set(presses.map((p) => (p.actions as Array<{ action_ts: string }>)[0]!.action_ts)).size).toBe(20);
    const firstHalf = presses.slice(0, 10).map((p) => blockAction(s.base, SIGNING_SECRET, p));
    await waitUntil('the first PUT', () => puts().length > 0);
    await Promise.all(firstHalf);
    await s.slack.idle();
    await Promise.all(presses.slice(10).map((p) => blockAction(s.base, SIGNING_SECRET, p)));
    await s.slack.idle();
    expect(puts()).toHaveLength(1);
    const told = s.api.callsTo('response_url').filter((r) => String(r.body.text).includes('already running or done'));
    expect(told.length).toBeGreaterThan(0);
  });

  it('two people pressing Hold on the same card: one Hold, the second is told what the card shows now', async () => {
    await s.link('UB', '12', '0003*210');
    const c = await card();
    const pressBy = (user: string) =>
      blockActionPayload({
        user,
        messageTs: c.ts,
        messageBlocks: c.blocks,
        actionId: 'call.hold.01',
        value: buttonValue(c.blocks, 'call.hold.01'),
        responseUrl: s.api.responseUrl(`/press/${user}`),
      });
    await blockAction(s.base, SIGNING_SECRET, pressBy('UA'));
    await s.slack.idle();
    await blockAction(s.base, SIGNING_SECRET, pressBy('UB'));
    await s.slack.idle();
    expect(puts()).toHaveLength(1);
    // The first Hold drew the card again: the second press was made on an older version of it.
    const told = s.api.callsTo('response_url').filter((r) => r.path.endsWith('/press/UB') && String(r.body.text).includes('older version of this card'));
    expect(told).toHaveLength(1);
    expect(String(told[0]!.body.text)).toContain('on hold');
  });

  it('a Slack retry of a press that already ran sends nothing more to VoipNow', async () => {
    const c = await card();
    const payload = holdPress(c);
    await blockAction(s.base, SIGNING_SECRET, payload);
    await s.slack.idle();
    expect(puts()).toHaveLength(1);
    const updates = s.api.callsTo('chat.update').length;
    const retried = await blockAction(s.base, SIGNING_SECRET, payload, { headers: RETRY });
    await s.slack.idle();
    expect(retried.status).toBe(200);
    expect(puts()).toHaveLength(1);
    expect(s.api.callsTo('chat.update')).toHaveLength(updates);
  });

  it('a retried `/call hold` (same trigger_id, retry headers) holds once and posts one card', async () => {
    const body = formEncode(slashCommandBody({ user_id: 'UA', text: `hold 0003*210 ${CALL}`, response_url: s.api.responseUrl('/hold') }));
    const first = await sendSigned(s.base, SIGNING_SECRET, body, FORM);
    const retries = await Promise.all(
      [1, 2].map((n) => sendSigned(s.base, SIGNING_SECRET, body, FORM, { headers: { 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_timeout' } })),
    );
    await s.slack.idle();
    expect(first.status).toBe(200);
    expect(retries.map((r) => r.status)).toEqual([200, 200]);
    expect(puts()).toHaveLength(1);
    expect(s.api.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('a press whose action failed may be pressed again (the claim is given back)', async () => {
    const c = await card();
    s.sandbox.setFaults({ errorRate: 1 });
    await blockAction(s.base, SIGNING_SECRET, holdPress(c));
    await s.slack.idle();
    const failed = s.api.callsTo('response_url').find((r) => /trouble|internal error/i.test(String(r.body.text)));
    expect(failed).toBeDefined();
    expect(s.sandbox.world.calls.get(CALL)!.views[0]!.holder).toBeUndefined();
    s.sandbox.setFaults({});
    s.sandbox.requests.length = 0;
    await blockAction(s.base, SIGNING_SECRET, holdPress(c));
    await s.slack.idle();
    expect(puts()).toHaveLength(1);
    expect(s.sandbox.world.calls.get(CALL)!.views[0]!.holder).toBe(1);
  });

  it('claims live in the store: an app restarted on the same store ignores a retry of a press that ran', async () => {
    const c = await card();
    const payload = holdPress(c);
    await blockAction(s.base, SIGNING_SECRET, payload);
    await s.slack.idle();
    expect(puts()).toHaveLength(1);
    const key = `press:T1:C1:${c.ts}:call.hold.01:UA:${(payload.actions as Array<{ action_ts: string }>)[0]!.action_ts}`;
    // What a restarted process (or another replica) sees: the same store, the same claim.
    expect(await s.store.claimOnce(key, new Date(Date.now() + 60_000))).toBe(false);
  });
});
