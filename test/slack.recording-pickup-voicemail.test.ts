/**
 * Recording, voicemail and pick-up in Slack, end to end: signed /call requests and button
 * presses into the real Bolt app, the sandbox behind it. Record / Stop
 * recording on an answered view, Voicemail and Pick up on a ringing one.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/sandbox/server.js';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { blockAction, blockActionPayload, slashCommand, viewSubmission, viewSubmissionPayload } from './helpers/signed.js';
import type { RecordedCall } from './helpers/slack-api.js';
import { resetStack } from './helpers/stack-reset.js';

const CALL = SEED_IDS.seedCall;
let s: Stack;
const posted: string[] = [];

type Element = { action_id?: string; value?: string };
type Block = { type: string; block_id?: string; elements?: Element[] };

beforeAll(async () => {
  s = await startStack();
});
afterAll(() => s.close());
beforeEach(async () => {
  resetStack(s, posted);
  await s.link('UA', '12', '0003*210');
});

const command = (text: string) => slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text, response_url: s.api.responseUrl('/cmd/UA') });
const blocksOf = (c: RecordedCall) => c.body.blocks as Block[];
const ids = (blocks: Block[]) => blocks.flatMap((b) => (b.elements ?? []).map((e) => e.action_id));
const puts = () => s.sandbox.requests.filter((r) => r.method === 'PUT');

function press(card: RecordedCall, ts: string, actionId: string) {
  const blocks = blocksOf(card);
  const el = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
  if (!el) throw new Error(`no button ${actionId}: ${ids(blocks).join(', ')}`);
  return blockAction(
    s.base,
    SIGNING_SECRET,
    blockActionPayload({ user: 'UA', messageTs: ts, messageBlocks: blocks, actionId, value: el.value!, responseUrl: s.api.responseUrl('/press/UA') }),
  );
}

describe('recording from Slack', () => {
  it('/call record start posts a recording card; its Stop recording button stops it in place', async () => {
    await command(`record start 0003*210 ${CALL} format wav49`);
    const card = await s.api.waitFor('chat.postMessage');
    expect(puts().at(-1)).toMatchObject({ userId: '12', body: { action: 'StartRecording', phoneCallViewId: '01', format: 'wav49' }, status: 202 });
    const text = JSON.stringify(card.body.blocks);
    expect(text).toContain('Recording since');
    expect(text).toContain('<@UA> started recording the call (view 01)');
    expect(ids(blocksOf(card))).toContain('call.stoprecord.01');
    expect(ids(blocksOf(card))).not.toContain('call.record.01');

    await press(card, posted[0]!, 'call.stoprecord.01');
    const updated = await s.api.waitFor('chat.update', (c) => c.body.ts === posted[0] && JSON.stringify(c.body.blocks).includes('stopped recording'));
    expect(puts().at(-1)!.body).toEqual({ action: 'StopRecording', phoneCallViewId: '01' });
    expect(JSON.stringify(updated.body.blocks)).not.toContain('Recording since');
    expect(ids(blocksOf(updated))).toContain('call.record.01');
  });
});

describe('a ringing call in Slack', () => {
  async function ringingOnQueue(): Promise<string> {
    // A caller rings support queue 0003*300 (John's); it keeps ringing while we look.
    s.sandbox.world.pickupDelayMs = 60_000;
    const res = await fetch(`${s.sandbox.url}/_sandbox/calls`, { method: 'POST', body: JSON.stringify({ to: '0003*300', from: '5550100', waitForPickup: 600 }) });
    return ((await res.json()) as { id: string }).id;
  }

  it('offers Pick up and Voicemail; Pick up asks where, then PickUp is sent as the acting user', async () => {
    const id = await ringingOnQueue();
    await command(`post 0003*300 ${id}`);
    const card = await s.api.waitFor('chat.postMessage');
    expect(ids(blocksOf(card))).toEqual(expect.arrayContaining(['call.pickup.01', 'call.voicemail.01']));
    await press(card, posted[0]!, 'call.pickup.01');
    const opened = await s.api.waitFor('views.open');
    const view = opened.body.view as { private_metadata: string };
    s.sandbox.world.pickupDelayMs = 30;
    const submit = await viewSubmission(
      s.base,
      SIGNING_SECRET,
      viewSubmissionPayload({
        user: 'UA',
        callbackId: 'call.modal',
        privateMetadata: view.private_metadata,
        values: { to: { value: { type: 'plain_text_input', value: '0003*210' } } },
      }),
    );
    expect(submit.status).toBe(200);
    await s.api.waitFor('chat.update', (c) => c.body.ts === posted[0] && JSON.stringify(c.body.blocks).includes('picked up'));
    expect(puts().at(-1)).toMatchObject({ userId: '12', body: { action: 'PickUp', sendCallTo: '0003*210', phoneCallViewId: '01' }, status: 202 });
  });

  it('/call voicemail sends the ringing call to a mailbox', async () => {
    const id = await ringingOnQueue();
    // Voicemail takes the call away from whoever it rings: typed, it asks first.
    const asked = await command(`voicemail 0003*300 ${id} to 0003*210`);
    const question = (asked.json as { blocks: Block[] }).blocks;
    expect(puts()).toHaveLength(0);
    const confirm = question.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'command.confirm')!;
    await blockAction(
      s.base,
      SIGNING_SECRET,
      blockActionPayload({
        user: 'UA',
        messageTs: '1700000000.000003',
        isEphemeral: true,
        actionId: 'command.confirm',
        value: confirm.value!,
        responseUrl: s.api.responseUrl('/confirm/UA'),
      }),
    );
    const card = await s.api.waitFor('chat.postMessage');
    expect(puts().at(-1)).toMatchObject({ body: { action: 'TransferToVoicemail', sendCallTo: '0003*210', phoneCallViewId: '01' }, status: 202 });
    expect(JSON.stringify(card.body.blocks)).toContain('<@UA> sent to voicemail the call');
  });
});
