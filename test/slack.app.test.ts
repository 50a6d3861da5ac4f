/**
 * The Slack app end to end: signed Slack requests into the real Bolt app, the
 * sandbox PBX behind it, and the Web API calls it makes recorded on loopback.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/sandbox/server.js';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { resetStack } from './helpers/stack-reset.js';
import { blockAction, blockActionPayload, eventCallback, slashCommand, viewSubmission, viewSubmissionPayload } from './helpers/signed.js';
import type { RecordedCall } from './helpers/slack-api.js';
import { waitUntil } from './helpers/wait.js';
import type { CallChange } from '../src/sandbox/server.js';

const CALL = SEED_IDS.seedCall;
let s: Stack;
const postedTs: string[] = [];

type Element = { action_id?: string; value?: string; url?: string; text?: { text: string } | string };
type Block = { type: string; block_id?: string; text?: { text: string }; elements?: Element[]; accessory?: Element };

beforeAll(async () => {
  s = await startStack();
});
afterAll(async () => {
  await s.close();
});
beforeEach(async () => {
  await s.slack.idle(); // nothing of the previous test still runs
  resetStack(s, postedTs);
  s.sandbox.world.pickupDelayMs = 30;
  await s.link('UA', '12', '0003*210');
  await s.link('UB', '13', '0003*024');
  await s.store.deleteLinkedAccount('T1', 'UNOBODY');
});

const uapiRequests = () => s.sandbox.requests.filter((r) => r.path.startsWith('/uapi/'));
const command = (user: string, text: string, extra: Record<string, string> = {}) =>
  slashCommand(s.base, SIGNING_SECRET, { user_id: user, text, response_url: s.api.responseUrl(`/cmd/${user}`), ...extra });
const blocksOf = (c: RecordedCall) => c.body.blocks as Block[];
const allText = (blocks: Block[]) => JSON.stringify(blocks);

function button(blocks: Block[], actionId: string) {
  for (const b of blocks) for (const e of [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])]) if (e.action_id === actionId) return e;
  throw new Error(`no button ${actionId} in ${blocks.map((b) => b.block_id).join(',')}`);
}

function press(user: string, card: RecordedCall, ts: string, actionId: string) {
  const blocks = blocksOf(card);
  return blockAction(
    s.base,
    SIGNING_SECRET,
    blockActionPayload({ user, messageTs: ts, messageBlocks: blocks, actionId, value: button(blocks, actionId).value!, responseUrl: s.api.responseUrl(`/press/${user}`) }),
  );
}

/** Where the PBX's own log of call state changes is now. */
const lastChange = () => s.sandbox.changes.since(0).at(-1)?.seq ?? 0;
/** The first call state change after `seq` in the PBX's own log that matches. */
const waitForChange = (seq: number, match: (c: CallChange) => boolean) => waitUntil('the call state change in the PBX', () => s.sandbox.changes.since(seq).find(match));

async function postedCard(): Promise<{ card: RecordedCall; ts: string }> {
  const card = await s.api.waitFor('chat.postMessage');
  const ts = postedTs[s.api.callsTo('chat.postMessage').indexOf(card)] ?? '';
  expect(ts).not.toBe('');
  return { card, ts };
}

describe('/call', () => {
  it('hold: acknowledges privately at once, holds as the acting user, posts the card into the channel', async () => {
    const res = await command('UA', `hold 0003*210 ${CALL}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_type: 'ephemeral' });
    expect((res.json as { text: string }).text).toMatch(/Hold: working on call `b817d2618fe6f1804333`/);

    const { card } = await postedCard();
    expect(card.token).toBe('xoxb-test-bot');
    expect(card.body.channel).toBe('C1');
    const text = allText(blocksOf(card));
    expect(text).toContain('on hold');
    expect(text).toContain('On hold since <!date^');
    expect(text).toContain('<@UA> put the call on hold (view 01)');
    // The action ran in VoipNow as user 12, with the seed body.
    const put = uapiRequests().find((r) => r.method === 'PUT')!;
    expect(put).toMatchObject({ userId: '12', path: `/uapi/phoneCalls/@me/0003*210/${CALL}`, body: { action: 'OnHold', phoneCallViewId: '01' }, status: 202 });
    expect(s.sandbox.world.calls.get(CALL)!.views[0]!.holder).toBe(1);
    // The card offers Resume now, not Hold.
    expect(() => button(blocksOf(card), 'call.resume.01')).not.toThrow();
    expect(() => button(blocksOf(card), 'call.hold.01')).toThrow();
  });

  it('whisper: the supervisor is told privately; the channel card keeps showing the parties only while the call is followed', async () => {
    // The whisperer picks up after 1 s, long after the action's read-back even on a loaded machine.
    s.sandbox.world.pickupDelayMs = 1000; // back to 30 ms in beforeEach
    const before = lastChange();
    await command('UA', `whisper 0003*210 ${CALL} to 0003*024 as "Whisper To Me <42420042>"`);
    const { card, ts } = await postedCard();
    // Who whispers is told to the supervisor alone, in a private reply.
    const told = await s.api.waitFor('response_url', (c) => String(c.body.text).includes('started whispering on the call (view 01)'));
    expect(told.body.response_type).toBe('ephemeral');
    expect(String(told.body.text)).toContain('<@UA>');
    // Whisper page: view 02 is created once 0003*024 answers; the follow-up reads the call
    // until then and updates the card after the PBX shows the answered leg.
    const answered = await waitForChange(before, (c) => c.callId === CALL && c.detail.includes('whisper'));
    await s.api.waitFor('chat.update', (c) => c.body.ts === ts && c.at >= answered.at, 10_000);
    // Every write of the channel card shows the call's parties, never the whisper leg or who whispers.
    const writes = [card, ...s.api.callsTo('chat.update').filter((c) => c.body.ts === ts)].map((c) => allText(blocksOf(c)) + String(c.body.text));
    for (const w of writes) {
      expect(w).not.toMatch(/\*Whisper\* from|whispering/);
      expect(w).not.toContain('42420042');
      expect(w).not.toContain(`${CALL}.view.02`);
    }
    expect(writes.at(-1)).toContain('`John Doe &lt;3333&gt;`');
  });

  it('escapes caller ids and extensions for mrkdwn', async () => {
    await command('UA', `post 0003*210 ${CALL}`);
    const { card } = await postedCard();
    const text = allText(blocksOf(card));
    expect(text).toContain('`0003*210`');
    expect(text).toContain('`John Doe &lt;3333&gt;`');
    expect(text).not.toContain('<3333>');
  });

  it('list: answered privately, all calls in one message, each with a button that posts its card to the channel, kept current', async () => {
    await command('UA', 'list 0003*210');
    const answer = await s.api.waitFor('response_url', (c) => allText((c.body.blocks ?? []) as Block[]).includes('2 live calls'));
    await s.slack.idle();
    expect(answer.body.response_type).toBe('ephemeral');
    const blocks = answer.body.blocks as Block[];
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(allText(blocks)).toContain(SEED_IDS.parkedCall);
    expect(s.api.callsTo('chat.postMessage')).toHaveLength(0);
    const posts = blocks.flatMap((b) => (b.elements ?? []).filter((e) => e.action_id === 'call.post').map((e) => ({ block: b.block_id!, value: e.value! })));
    expect(posts.map((p) => JSON.parse(p.value).call).sort()).toEqual([CALL, SEED_IDS.parkedCall].sort());
    const mine = posts.find((p) => JSON.parse(p.value).call === CALL)!;
    s.sandbox.requests.length = 0;
    await blockAction(
      s.base,
      SIGNING_SECRET,
      blockActionPayload({
        user: 'UA',
        messageTs: '1700000000.000001',
        isEphemeral: true,
        blockId: mine.block,
        actionId: 'call.post',
        value: mine.value,
        responseUrl: s.api.responseUrl('/press/UA'),
      }),
    );
    const { card, ts } = await postedCard();
    expect(allText(blocksOf(card))).toContain(`${CALL}.head`);
    expect(allText(blocksOf(card))).not.toContain(SEED_IDS.parkedCall);
    expect(allText(blocksOf(card))).not.toContain('call.post'); // the posted card is an ordinary card
    expect(uapiRequests().map((r) => r.method)).toEqual(['GET']);
    // The posted card stays current: an action on the call elsewhere updates it.
    await command('UA', `hold 0003*210 ${CALL}`);
    await s.api.waitFor('chat.update', (c) => c.body.ts === ts && allText(c.body.blocks as Block[]).includes('on hold'));
  });

  it("a button on the private list acts, and the list's private message shows the result (Slack cannot chat.update an ephemeral message)", async () => {
    await command('UA', 'list 0003*210');
    const answer = await s.api.waitFor('response_url', (c) => allText((c.body.blocks ?? []) as Block[]).includes('2 live calls'));
    await s.slack.idle();
    s.api.respondWith('chat.update', { ok: false, error: 'message_not_found' });
    const blocks = answer.body.blocks as Block[];
    await blockAction(
      s.base,
      SIGNING_SECRET,
      blockActionPayload({
        user: 'UA',
        messageTs: '1700000000.000005',
        isEphemeral: true,
        blockId: `${CALL}.actions.01`,
        actionId: 'call.hold.01',
        value: button(blocks, 'call.hold.01').value!,
        responseUrl: s.api.responseUrl('/press/UA'),
      }),
    );
    const shown = await s.api.waitFor('response_url', (c) => c.body.replace_original === true && allText((c.body.blocks ?? []) as Block[]).includes('put the call on hold'));
    expect(allText(shown.body.blocks as Block[])).toContain(`${CALL}.head`);
    expect(s.sandbox.world.calls.get(CALL)!.views[0]!.holder).toBe(1);
    expect(s.api.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('bad input: one specific private line, nothing sent to VoipNow or posted', async () => {
    const res = await command('UA', `unpark 0003*210 ${CALL} to 0003*024 wait 0`);
    expect(res.json).toMatchObject({ response_type: 'ephemeral' });
    expect((res.json as { text: string }).text).toMatch(/`0` is not a wait time: use whole seconds above 0.*Usage: `\/call unpark &lt;extension&gt;/); // escaped: Slack shows <extension>
    const unknown = await command('UA', 'frobnicate');
    expect((unknown.json as { text: string }).text).toMatch(/`frobnicate` is not a command/);
    expect(uapiRequests()).toHaveLength(0);
    expect(s.api.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('help is private and lists every action', async () => {
    const res = await command('UA', 'help');
    const text = (res.json as { text: string }).text;
    for (const a of ['hold', 'resume', 'park', 'unpark', 'whisper', 'listen', 'barge', 'transfer', 'hangup', 'events update']) expect(text).toContain(`/call ${a}`);
  });

  it('an unlinked user is asked to link, and nothing reaches VoipNow', async () => {
    const res = await command('UNOBODY', `hold 0003*210 ${CALL}`);
    const json = res.json as { response_type: string; text: string; blocks: Block[] };
    expect(json.response_type).toBe('ephemeral');
    expect(json.text).toMatch(/First link your VoipNow account/);
    // The link opens callops' own page first (who is being linked), then VoipNow's consent.
    expect(button(json.blocks, 'link.open').url).toMatch(/^http:\/\/callops\.test\/link\/start\?state=/);
    expect(uapiRequests()).toHaveLength(0);
  });

  it('UAPI errors become plain sentences in a private reply', async () => {
    await command('UA', 'hold 0003*210 ffffffffffffffffffff');
    const reply = await s.api.waitFor('response_url');
    expect(reply.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(reply.body.text)).toMatch(/does not exist|not live/);
    expect(s.api.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('a VoipNow timeout is reported, not thrown', async () => {
    const quick = await startStack({ voipnowTimeoutMs: 200 });
    try {
      await quick.link('UA', '12');
      quick.sandbox.setFaults({ hang: true });
      await slashCommand(quick.base, SIGNING_SECRET, { user_id: 'UA', text: `hold 0003*210 ${CALL}`, response_url: quick.api.responseUrl('/t') });
      const reply = await quick.api.waitFor('response_url');
      expect(String(reply.body.text)).toMatch(/did not answer within/);
    } finally {
      quick.sandbox.setFaults({});
      await quick.close();
    }
  });

  it('answers through the response_url when the bot is not in the channel', async () => {
    s.api.respondWith('chat.postMessage', { ok: false, error: 'not_in_channel' });
    await command('UA', `post 0003*210 ${CALL}`);
    const inChannel = await s.api.waitFor('response_url', (c) => c.body.response_type === 'in_channel');
    expect(allText(inChannel.body.blocks as Block[])).toContain(CALL);
    const hint = await s.api.waitFor('response_url', (c) => String(c.body.text).includes('/invite @callops'));
    expect(hint.body.response_type).toBe('ephemeral');
  });

  it('events: the seed update from Slack, and list with Edit buttons', async () => {
    await command('UA', `events update 0003*210 0 ${SEED_IDS.seedEvent} method post note "I want to use POST for my event"`);
    const reply = await s.api.waitFor('response_url');
    expect(String(reply.body.text)).toMatch(/Updated call event/);
    expect(uapiRequests().find((r) => r.method === 'PUT')).toMatchObject({
      path: `/uapi/extensions/@me/0003*210/phoneCallEvents/0/${SEED_IDS.seedEvent}`,
      body: { method: '1', note: 'I want to use POST for my event' },
      userId: '12',
    });
    s.api.clearCalls();
    await command('UA', 'events list 0003*210');
    const list = await s.api.waitFor('response_url');
    const edit = button(list.body.blocks as Block[], `event.edit.${SEED_IDS.seedEvent}`);
    // The Edit button says what it carries; buttons posted with the old one-letter keys still open the event.
    expect(JSON.parse(edit.value!)).toEqual({ extension: '0003*210', type: 0, id: SEED_IDS.seedEvent });
    for (const value of [edit.value!, JSON.stringify({ e: '0003*210', t: 0, id: SEED_IDS.seedEvent })]) {
      s.api.clearCalls();
      await blockAction(
        s.base,
        SIGNING_SECRET,
        blockActionPayload({
          user: 'UA',
          messageTs: '1700000000.000004',
          isEphemeral: true,
          actionId: `event.edit.${SEED_IDS.seedEvent}`,
          value,
          responseUrl: s.api.responseUrl('/press/UA'),
        }),
      );
      const filled = await s.api.waitFor('views.update', (c) => JSON.stringify(c.body.view).includes('Save'));
      const meta = JSON.parse((filled.body.view as { private_metadata: string }).private_metadata);
      expect(meta).toMatchObject({ extension: '0003*210', type: 0, id: SEED_IDS.seedEvent });
    }
  });
});

describe('buttons', () => {
  it('a press updates the same message in place, with who did what', async () => {
    await command('UA', `hold 0003*210 ${CALL}`);
    const { card, ts } = await postedCard();
    const res = await press('UA', card, ts, 'call.resume.01');
    expect(res.status).toBe(200);
    const final = await s.api.waitFor('chat.update', (c) => c.body.ts === ts && allText(c.body.blocks as Block[]).includes('took the call off hold'));
    expect(final.body).toMatchObject({ channel: 'C1', ts });
    expect(allText(final.body.blocks as Block[])).toContain('on call');
    expect(s.sandbox.world.calls.get(CALL)!.views[0]!.holder).toBeUndefined();
    // While it ran, the card said so.
    expect(s.api.callsTo('chat.update').some((c) => c.body.ts === ts && allText(c.body.blocks as Block[]).includes('working'))).toBe(true);
  });

  it("each user's press reaches VoipNow as that user, with their own token", async () => {
    await command('UA', `hold 0003*210 ${CALL}`);
    const { card, ts } = await postedCard();
    s.sandbox.requests.length = 0;
    // B presses Resume on A's call: VoipNow is asked as B (user 13), who may not touch 0003*210.
    await press('UB', card, ts, 'call.resume.01');
    const denied = await s.api.waitFor('response_url', (c) => String(c.body.text).includes('not authorized'));
    expect(denied.body.response_type).toBe('ephemeral');
    expect(uapiRequests().every((r) => r.userId === '13')).toBe(true);
    expect(s.sandbox.world.calls.get(CALL)!.views[0]!.holder).toBe(1);
    // A presses the same button: it runs as user 12.
    s.sandbox.requests.length = 0;
    await press('UA', card, ts, 'call.resume.01');
    await s.api.waitFor('chat.update', (c) => c.body.ts === ts && allText(c.body.blocks as Block[]).includes('took the call off hold'));
    expect(uapiRequests().map((r) => r.userId)).toEqual(expect.arrayContaining(['12']));
    expect(uapiRequests().every((r) => r.userId === '12')).toBe(true);
  });

  it("an agent's button acts through their own view's extension, not the queue's", async () => {
    await command('UA', `post 0003*300 ${SEED_IDS.queueCall}`);
    const { card, ts } = await postedCard();
    s.sandbox.requests.length = 0;
    // UB is user 13, the agent on view 02 (0003*024); the call is charged to queue 0003*300 (user 12's).
    await press('UB', card, ts, 'call.hold.02');
    await s.api.waitFor('chat.update', (c) => c.body.ts === ts && allText(c.body.blocks as Block[]).includes('<@UB> put the call on hold (view 02)'));
    expect(uapiRequests().find((r) => r.method === 'PUT')).toMatchObject({
      userId: '13',
      path: `/uapi/phoneCalls/@me/0003*024/${SEED_IDS.queueCall}`,
      status: 202,
      body: { action: 'OnHold', phoneCallViewId: '02' },
    });
  });

  it("a lone call id acts through @self and picks the user's own view", async () => {
    await command('UB', `hold ${SEED_IDS.queueCall}`);
    const { card } = await postedCard();
    expect(allText(blocksOf(card))).toContain('<@UB> put the call on hold (view 02)');
    expect(uapiRequests().find((r) => r.method === 'PUT')).toMatchObject({ userId: '13', path: `/uapi/phoneCalls/@me/@self/${SEED_IDS.queueCall}`, status: 202 });
  });

  it('a second press of the same action while the first runs sends nothing more to VoipNow', async () => {
    await command('UA', `post 0003*210 ${CALL}`);
    const { card, ts } = await postedCard();
    s.sandbox.setFaults({ latencyMs: 300 });
    s.sandbox.requests.length = 0;
    await Promise.all([press('UA', card, ts, 'call.hold.01'), press('UA', card, ts, 'call.hold.01')]);
    const busy = await s.api.waitFor('response_url', (c) => String(c.body.text).includes('already running'));
    expect(busy.body.response_type).toBe('ephemeral');
    await s.api.waitFor('chat.update', (c) => c.body.ts === ts && allText(c.body.blocks as Block[]).includes('put the call on hold'));
    expect(uapiRequests().filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  it('an unlinked user pressing a button is asked to link; nothing reaches VoipNow', async () => {
    await command('UA', `post 0003*210 ${CALL}`);
    const { card, ts } = await postedCard();
    s.sandbox.requests.length = 0;
    await press('UNOBODY', card, ts, 'call.hold.01');
    const prompt = await s.api.waitFor('response_url', (c) => String(c.body.text).includes('link your VoipNow account'));
    expect(prompt.body.response_type).toBe('ephemeral');
    expect(uapiRequests()).toHaveLength(0);
  });

  it('whisper opens a modal; bad input shows on the field; a good one whispers and updates the card', async () => {
    await command('UA', `post 0003*210 ${CALL}`);
    const { card, ts } = await postedCard();
    const before = lastChange();
    await press('UA', card, ts, 'call.whisper.01');
    const opened = await s.api.waitFor('views.open');
    const view = opened.body.view as { callback_id: string; private_metadata: string; blocks: Array<{ block_id?: string; element?: { initial_value?: string } }> };
    expect(view.callback_id).toBe('call.modal');
    expect(view.blocks.find((b) => b.block_id === 'to')!.element!.initial_value).toBe('0003*210');

    const submit = (values: Parameters<typeof viewSubmissionPayload>[0]['values']) =>
      viewSubmission(s.base, SIGNING_SECRET, viewSubmissionPayload({ user: 'UA', callbackId: 'call.modal', privateMetadata: view.private_metadata, values }));
    const bad = await submit({
      to: { value: { type: 'plain_text_input', value: '0003*024' } },
      wait: { value: { type: 'plain_text_input', value: 'soon' } },
      callerId: { value: { type: 'plain_text_input', value: 'Boss' } },
    });
    expect(bad.json).toMatchObject({ response_action: 'errors' });
    const errors = (bad.json as { errors: Record<string, string> }).errors;
    expect(errors.wait).toMatch(/not a wait time/);
    expect(errors.callerId).toMatch(/not a caller ID/);
    expect(uapiRequests().filter((r) => r.method === 'PUT')).toHaveLength(0);

    const good = await submit({
      to: { value: { type: 'plain_text_input', value: '0003*024' } },
      wait: { value: { type: 'plain_text_input', value: '20' } },
      callerId: { value: { type: 'plain_text_input', value: 'Whisper To Me <42420042>' } },
      private: { value: { type: 'checkboxes', selected_options: [{ value: '1' }] } },
    });
    expect(good.status).toBe(200);
    // Who whispers is told to the supervisor alone; the channel card shows the call's parties.
    await s.api.waitFor('response_url', (c) => c.body.response_type === 'ephemeral' && String(c.body.text).includes('<@UA> started whispering'));
    expect(uapiRequests().find((r) => r.method === 'PUT')!.body).toEqual({
      action: 'Whisper',
      sendCallTo: '0003*024',
      callerId: 'Whisper To Me <42420042>',
      waitForPickup: '20',
      private: 1,
      phoneCallViewId: '01',
    });
    // The call is read again until 0003*024 answers and view 02 appears; the card is updated then, without that leg.
    const answered = await waitForChange(before, (c) => c.callId === CALL && c.detail.includes('whisper'));
    await s.api.waitFor('chat.update', (c) => c.body.ts === ts && c.at >= answered.at);
    const writes = s.api.callsTo('chat.update').filter((c) => c.body.ts === ts);
    expect(writes.filter((c) => /\*Whisper\* from|whispering/.test(allText(blocksOf(c)) + String(c.body.text)))).toEqual([]);
  });

  it('Refresh on a call that ended elsewhere turns the card into an ended card', async () => {
    await command('UA', `post 0003*210 ${CALL}`);
    const { card, ts } = await postedCard();
    s.sandbox.world.hangup(s.sandbox.world.calls.get(CALL)!);
    await press('UA', card, ts, 'call.refresh');
    const ended = await s.api.waitFor('chat.update', (c) => c.body.ts === ts && allText(c.body.blocks as Block[]).includes('has ended'));
    expect(allText(ended.body.blocks as Block[])).not.toContain('call.hold');
    const told = await s.api.waitFor('response_url', (c) => String(c.body.text).includes('not live'));
    expect(told.body.response_type).toBe('ephemeral');
  });

  it('hang up asks for confirmation and ends the call card', async () => {
    await command('UA', `post 0003*210 ${CALL}`);
    const { card, ts } = await postedCard();
    const hangup = button(blocksOf(card), 'call.hangup') as { confirm?: unknown };
    expect(hangup.confirm).toBeDefined();
    await press('UA', card, ts, 'call.hangup');
    const ended = await s.api.waitFor('chat.update', (c) => c.body.ts === ts && allText(c.body.blocks as Block[]).includes('has ended'));
    expect(ended.body.ts).toBe(ts);
    expect(s.sandbox.world.calls.has(CALL)).toBe(false);
  });
});

describe('signatures', () => {
  it('a forged signature or a stale timestamp is rejected and nothing runs', async () => {
    await s.slack.idle(); // earlier tests' follow-ups and card syncs have landed
    s.api.clearCalls();
    s.sandbox.requests.length = 0;
    const forged = await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: `hold 0003*210 ${CALL}` }, { forge: 'bad-signature' });
    const stale = await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: `hold 0003*210 ${CALL}` }, { forge: 'stale-timestamp' });
    expect(forged.status).toBe(401);
    expect(stale.status).toBe(401);
    await s.slack.idle();
    expect(uapiRequests()).toHaveLength(0);
    expect(s.api.calls.filter((c) => c.method !== 'auth.test')).toHaveLength(0);
  });
});

describe('App Home and health', () => {
  it('shows the link status and live calls of a linked user', async () => {
    await eventCallback(s.base, SIGNING_SECRET, { type: 'app_home_opened', user: 'UA', channel: 'D1', tab: 'home', event_ts: '1.2' });
    const published = await s.api.waitFor('views.publish');
    const text = JSON.stringify(published.body.view);
    expect(published.body.user_id).toBe('UA');
    expect(text).toContain('Linked to VoipNow');
    expect(text).toContain(CALL);
    // The same words as a card: who is calling whom, and each leg.
    expect(text).toContain('`John Doe &lt;3333&gt;` is talking with `0003*024` on `0003*210`');
    expect(text).toContain('Agent `0003*210` with `0003*024`');
    expect(text).toContain('How to use callops');
  });

  it('offers the link button to an unlinked user', async () => {
    await eventCallback(s.base, SIGNING_SECRET, { type: 'app_home_opened', user: 'UNOBODY', channel: 'D2', tab: 'home', event_ts: '1.3' });
    const published = await s.api.waitFor('views.publish', (c) => c.body.user_id === 'UNOBODY');
    // The link opens callops' page naming the user first, then VoipNow's consent (see adversarial.linking).
    expect(JSON.stringify(published.body.view)).toContain('http://callops.test/link/start?state=');
  });

  it('GET /healthz answers', async () => {
    const res = await fetch(`${s.base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, app: 'callops' });
  });
});

describe('linking an account through the sandbox consent page', () => {
  it('link -> consent -> callback -> tokens stored encrypted -> commands run as the consenting user', async () => {
    const res = await command('UC', 'link 0003*024');
    // The button opens callops' page naming who is being linked; it leads on to VoipNow's consent.
    const startUrl = new URL(button((res.json as { blocks: Block[] }).blocks, 'link.open').url!);
    const startPage = await (await fetch(`${s.base}${startUrl.pathname}${startUrl.search}`)).text();
    expect(startPage).toMatch(/Slack user @uc \(UC\)/);
    const url = [...startPage.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&#38;/g, '&'))[0]!;
    const authorize = new URL(url);
    expect(authorize.origin).toBe(s.sandbox.url);
    const state = authorize.searchParams.get('state')!;
    expect((await fetch(url)).status).toBe(200);

    const consent = await fetch(`${s.sandbox.url}/oauth/authorize.php`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), user_id: '13', decision: 'permit' }),
    });
    expect(consent.status).toBe(302);
    const back = new URL(consent.headers.get('location')!);
    expect(back.origin + back.pathname).toBe('http://callops.test/oauth/voipnow/callback');
    expect(back.searchParams.get('state')).toBe(state);

    const callback = await fetch(`${s.base}${back.pathname}${back.search}`);
    expect(callback.status).toBe(200);
    expect(await callback.text()).toContain('VoipNow account linked');
    const told = await s.api.waitFor('response_url', (c) => String(c.body.text).includes('is linked'));
    expect(told.body.response_type).toBe('ephemeral');

    const account = await s.store.getLinkedAccount('T1', 'UC');
    expect(account).toMatchObject({ extension: '0003*024' });
    // The state was single use.
    expect((await fetch(`${s.base}${back.pathname}${back.search}`)).status).toBe(400);

    s.sandbox.requests.length = 0;
    await command('UC', 'list 0003*024');
    await s.api.waitFor('response_url', (c) => c.body.response_type === 'ephemeral' && allText((c.body.blocks ?? []) as Block[]).includes('live call'));
    expect(uapiRequests().map((r) => r.userId)).toEqual(['13']);
  });
});

describe('Socket Mode', () => {
  it('receives /call over a WebSocket and posts through the Web API', async () => {
    const sock = await startStack({ socketMode: true });
    try {
      await sock.link('UA', '12');
      const ack = await sock.socket!.sendSlashCommand({ user_id: 'UA', text: `post 0003*210 ${CALL}`, response_url: sock.api.responseUrl('/sock') });
      expect(JSON.stringify(ack.payload)).toContain('Looking up live calls');
      const posted = await sock.api.waitFor('chat.postMessage');
      expect(allText(posted.body.blocks as Block[])).toContain(CALL);
      expect(sock.api.callsTo('apps.connections.open')[0]!.token).toBe('xapp-test');
    } finally {
      await sock.close();
    }
  });
});
