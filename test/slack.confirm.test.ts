/**
 * Typed commands that end or delete something ask first (src/slack/commands/confirm-command.ts):
 * signed /call requests and presses of Confirm or Cancel into the real Bolt app,
 * the sandbox PBX behind it, Slack's answers recorded.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/sandbox/server.js';
import { blockAction, blockActionPayload, slashCommand } from './helpers/signed.js';
import { SIGNING_SECRET, type Stack, startStack } from './helpers/stack.js';

const CALL = SEED_IDS.seedCall;
let s: Stack;

type Element = { action_id?: string; value?: string; style?: string };
type Block = { type: string; block_id?: string; text?: { text: string }; elements?: Element[] };

beforeAll(async () => {
  s = await startStack();
});
afterAll(() => s.close());
beforeEach(async () => {
  await s.slack.idle();
  s.sandbox.reset();
  s.sandbox.setFaults({});
  s.sandbox.requests.length = 0;
  s.api.clearCalls();
  s.api.resetResponses();
  await s.link('UA', '12', '0003*210');
});

const uapi = () => s.sandbox.requests.filter((r) => r.path.startsWith('/uapi/'));
const command = async (text: string) => {
  const res = await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text, response_url: s.api.responseUrl('/cmd/UA') });
  return res.json as { response_type?: string; text: string; blocks?: Block[] };
};
const buttonOf = (blocks: Block[] | undefined, actionId: string) => (blocks ?? []).flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
let pressTs = 0;
function press(blocks: Block[] | undefined, actionId: string, user = 'UA') {
  const el = buttonOf(blocks, actionId);
  if (!el) throw new Error(`no ${actionId}`);
  pressTs += 1;
  return blockAction(
    s.base,
    SIGNING_SECRET,
    blockActionPayload({
      user,
      messageTs: '1700000001.000001',
      isEphemeral: true,
      actionId,
      value: el.value!,
      responseUrl: s.api.responseUrl(`/confirm/${user}/${pressTs}`),
    }),
  );
}

describe('typed commands that end or delete something ask first', () => {
  it('/call hangup asks privately with Confirm and Cancel; nothing reaches VoipNow or the channel before', async () => {
    const asked = await command(`hangup 0003*210 ${CALL}`);
    expect(asked.response_type).toBe('ephemeral');
    expect(JSON.stringify(asked.blocks)).toContain(`*Hang up* call \`${CALL}\`? This will end the call for everyone on it.`);
    expect(buttonOf(asked.blocks, 'command.confirm')).toMatchObject({ style: 'danger' });
    expect(buttonOf(asked.blocks, 'command.cancel')).toBeDefined();
    await s.slack.idle();
    expect(uapi()).toHaveLength(0);
    expect(s.api.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('Cancel sends nothing and says so', async () => {
    const asked = await command(`hangup 0003*210 ${CALL}`);
    await press(asked.blocks, 'command.cancel');
    const said = await s.api.waitFor('response_url', (c) => String(c.body.text).includes('Cancelled'));
    expect(said.body.replace_original).toBe(true);
    await s.slack.idle();
    expect(uapi()).toHaveLength(0);
    expect(s.sandbox.world.calls.has(CALL)).toBe(true);
  });

  it('Confirm runs it once through the pipeline: one DELETE, the ended card in the channel, repeated presses do nothing more', async () => {
    const asked = await command(`hangup 0003*210 ${CALL}`);
    await press(asked.blocks, 'command.confirm');
    const card = await s.api.waitFor('chat.postMessage');
    expect(JSON.stringify(card.body.blocks)).toContain('has ended');
    await Promise.all([press(asked.blocks, 'command.confirm'), press(asked.blocks, 'command.confirm', 'UA')]);
    await s.slack.idle();
    const deletes = uapi().filter((r) => r.method === 'DELETE');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]).toMatchObject({ userId: '12' });
    expect(s.api.callsTo('chat.postMessage')).toHaveLength(1);
    expect(s.sandbox.world.calls.has(CALL)).toBe(false);
  });

  it('/call events delete of all events asks, and Confirm deletes them', async () => {
    const asked = await command('events delete 0003*210');
    expect(JSON.stringify(asked.blocks)).toContain('*Delete* every call event of `0003*210`?');
    await s.slack.idle();
    expect(uapi()).toHaveLength(0);
    await press(asked.blocks, 'command.confirm');
    await s.slack.idle();
    expect(uapi().filter((r) => r.method === 'DELETE' && r.path.includes('phoneCallEvents'))).toHaveLength(1);
  });

  it('actions that change nothing irreversibly run at once, as before', async () => {
    const acked = await command(`hold 0003*210 ${CALL}`);
    expect(buttonOf(acked.blocks, 'command.confirm')).toBeUndefined();
    await s.api.waitFor('chat.postMessage');
    expect(uapi().filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  it('a forged or stale confirmation runs nothing', async () => {
    const forged: Block[] = [
      { type: 'actions', elements: [{ action_id: 'command.confirm', value: JSON.stringify({ command: `hold 0003*210 ${CALL}`, confirmation: 'abcdef0123456789' }) }] },
    ];
    await press(forged, 'command.confirm');
    await s.api.waitFor('response_url', (c) => String(c.body.text).includes('out of date'));
    await s.slack.idle();
    expect(uapi()).toHaveLength(0);
  });
});
