/**
 * The action pipeline end to end (signed requests in, sandbox PBX and recording
 * Slack API on loopback): truthful results after a failed read-back or a
 * timeout, a "working…" note that never delays the action nor covers its
 * result, a minimal card when Slack refuses one, modal submissions that are
 * checked again and always acknowledged, the role check once per request, the
 * afterAction hook, and no read before the PUT when the card names the view.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/sandbox/server.js';
import type { SlackUser } from '../src/slack/users/accounts.js';
import type { ActionDone } from '../src/slack/actions/action-request.js';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { resetStack } from './helpers/stack-reset.js';
import { blockAction, blockActionPayload, slashCommand, viewSubmission, viewSubmissionPayload } from './helpers/signed.js';
import { httpReply, type RecordedCall } from './helpers/slack-api.js';
import { waitUntil } from './helpers/wait.js';

const CALL = SEED_IDS.seedCall;
type Element = { action_id?: string; value?: string };
type Block = { block_id?: string; elements?: Element[]; accessory?: Element };

let s: Stack;
let failGets = 0;
const supervisorChecks: string[] = [];
const postedTs: string[] = [];

beforeAll(async () => {
  s = await startStack({
    // With errorRate 1, the next `failGets` GETs after a PUT are answered 500 (the request just recorded is the one asking).
    sandboxRandom: () => {
      const last = s.sandbox.requests[s.sandbox.requests.length - 1];
      if (failGets > 0 && last?.method === 'GET' && s.sandbox.requests.some((r) => r.method === 'PUT')) {
        failGets--;
        return 0;
      }
      return 1;
    },
    app: {
      isSupervisor: async (u: SlackUser) => {
        supervisorChecks.push(u.userId);
        return u.userId === 'UA';
      },
      pipeline: { rereadDelaysMs: Array.from({ length: 40 }, () => 50) },
    },
  });
});
afterAll(async () => {
  await s.close();
});
beforeEach(async () => {
  await s.slack.idle();
  failGets = 0;
  supervisorChecks.length = 0;
  s.slack.deps.afterAction.length = 0;
  resetStack(s, postedTs);
  await s.link('UA', '12', '0003*210');
  await s.link('UB', '13', '0003*024');
});

const uapi = () => s.sandbox.requests.filter((r) => r.path.startsWith('/uapi/'));
const puts = () => uapi().filter((r) => r.method === 'PUT');
const text = (c: RecordedCall) => JSON.stringify(c.body.blocks ?? []) + String(c.body.text ?? '');
const updatesOf = (ts: string) => s.api.callsTo('chat.update').filter((c) => c.body.ts === ts);
const privately = (re: RegExp) => s.api.callsTo('response_url').filter((c) => re.test(String(c.body.text)));

function buttonValue(blocks: Block[], actionId: string): string {
  for (const b of blocks) for (const e of [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])]) if (e.action_id === actionId) return e.value!;
  throw new Error(`no button ${actionId}`);
}

async function card(stack = s, ts = postedTs): Promise<{ blocks: Block[]; ts: string }> {
  await slashCommand(stack.base, SIGNING_SECRET, { user_id: 'UA', text: `post 0003*210 ${CALL}`, response_url: stack.api.responseUrl('/list') });
  const posted = await stack.api.waitFor('chat.postMessage');
  await stack.slack.idle();
  stack.sandbox.requests.length = 0;
  stack.api.clearCalls();
  expect(ts[0]).toBeDefined();
  return { blocks: posted.body.blocks as Block[], ts: ts[0]! };
}

function press(c: { blocks: Block[]; ts: string }, actionId: string, user = 'UA', stack = s) {
  return blockAction(
    stack.base,
    SIGNING_SECRET,
    blockActionPayload({ user, messageTs: c.ts, messageBlocks: c.blocks, actionId, value: buttonValue(c.blocks, actionId), responseUrl: stack.api.responseUrl(`/press/${user}`) }),
  );
}

describe('telling the truth', () => {
  it('PUT accepted but the read-back failed: says so, keeps the card pending (not put back), refreshes it; one PUT', async () => {
    const c = await card();
    s.sandbox.setFaults({ errorRate: 1 });
    failGets = 2; // the read-back and the one retry a GET gets after a 5xx
    await press(c, 'call.hold.01');
    await s.slack.idle();
    expect(puts()).toHaveLength(1);
    expect(s.sandbox.world.calls.get(CALL)!.views[0]!.holder).toBe(1);
    const told = privately(/VoipNow accepted Hold/);
    expect(told).toHaveLength(1);
    expect(String(told[0]!.body.text)).not.toMatch(/Try again/);
    const updates = updatesOf(c.ts);
    expect(updates.some((u) => text(u).includes('the new state could not be read yet'))).toBe(true);
    // The card was never put back as it was before the press.
    expect(updates.some((u) => JSON.stringify(u.body.blocks) === JSON.stringify(c.blocks))).toBe(false);
    // Refreshed shortly after: the real state, read again.
    const last = updates[updates.length - 1]!;
    expect(text(last)).toContain('on hold');
    expect(text(last)).toContain('state read again');
    expect(() => buttonValue(last.body.blocks as Block[], 'call.resume.01')).not.toThrow();
  });

  it('inside a list of calls, only the pressed call shows as pending, and only it is refreshed', async () => {
    // The list is a private message; its buttons act on it like on any card.
    await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: 'list 0003*210', response_url: s.api.responseUrl('/list') });
    const posted = await s.api.waitFor('response_url', (c) => JSON.stringify(c.body.blocks ?? []).includes('live calls*'));
    await s.slack.idle();
    const list = { blocks: posted.body.blocks as Block[], ts: '1700000000.000002' };
    const count = (u: RecordedCall, needle: string) => JSON.stringify(u.body.blocks).split(needle).length - 1;
    expect(count(posted, 'live calls*')).toBe(1);
    s.sandbox.requests.length = 0;
    s.sandbox.setFaults({ errorRate: 1 });
    failGets = 2; // the read-back and the one retry a GET gets after a 5xx
    await press(list, 'call.hold.01');
    await s.slack.idle();
    const updates = updatesOf(list.ts);
    const pending = updates.find((u) => text(u).includes('could not be read yet'))!;
    const last = updates[updates.length - 1]!;
    for (const u of [pending, last]) {
      expect(count(u, 'live calls*')).toBe(1);
      expect(count(u, `"${SEED_IDS.parkedCall}.head"`)).toBe(1);
      expect(count(u, `"${CALL}.head"`)).toBe(1);
    }
    expect(text(last)).toContain('state read again');
  });

  it('the same for `/call hold`: a pending card with Refresh is posted, then updated once the call can be read', async () => {
    s.sandbox.setFaults({ errorRate: 1 });
    failGets = 2; // the read-back and the one retry a GET gets after a 5xx
    await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: `hold 0003*210 ${CALL}`, response_url: s.api.responseUrl('/cmd') });
    await s.slack.idle();
    expect(puts()).toHaveLength(1);
    expect(privately(/VoipNow accepted Hold/)).toHaveLength(1);
    const posted = s.api.callsTo('chat.postMessage');
    expect(posted).toHaveLength(1);
    expect(text(posted[0]!)).toContain('the new state could not be read yet');
    expect(() => buttonValue(posted[0]!.body.blocks as Block[], 'call.refresh')).not.toThrow();
    const last = updatesOf(postedTs[0]!).pop()!;
    expect(text(last)).toContain('state read again');
    expect(text(last)).toContain('on hold');
  });

  it('a timeout marks the card uncertain (not restored) and a later read updates it', async () => {
    const quick = await startStack({ voipnowTimeoutMs: 300, app: { pipeline: { rereadDelaysMs: Array.from({ length: 40 }, () => 50) } } });
    const ts: string[] = [];
    try {
      quick.api.respondWith('chat.postMessage', (_c, d) => {
        const a = d();
        ts.push(String(a.ts));
        return a;
      });
      await quick.link('UA', '12', '0003*210');
      const c = await card(quick, ts);
      quick.sandbox.setFaults({ hang: true });
      await press(c, 'call.hold.01', 'UA', quick);
      await quick.api.waitFor('chat.update', (u) => u.body.ts === c.ts && text(u).includes('may or may not have happened'), 10_000);
      quick.sandbox.setFaults({});
      await quick.slack.idle();
      const updates = quick.api.callsTo('chat.update').filter((u) => u.body.ts === c.ts);
      expect(updates.some((u) => JSON.stringify(u.body.blocks) === JSON.stringify(c.blocks))).toBe(false);
      const last = updates[updates.length - 1]!;
      expect(text(last)).toContain('did not confirm it in time');
      expect(text(last)).toContain('state read again');
      const reply = quick.api.callsTo('response_url').find((r) => /did not answer within/.test(String(r.body.text)));
      expect(String(reply?.body.text)).toContain('reading the call again');
    } finally {
      quick.sandbox.setFaults({});
      await quick.close();
    }
  });
});

describe('the "working…" note', () => {
  it('never delays the PUT, and when it lands late the final card is written again over it', async () => {
    const c = await card();
    const applied: string[] = [];
    let putsWhenNoteLanded = -1;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    s.api.respondWith('chat.update', async (call, d) => {
      if (String(call.body.text).includes('working')) {
        await held; // Slack is slow with the note until the final card was written
        putsWhenNoteLanded = puts().length;
        applied.push('working');
        return d();
      }
      applied.push(text(call).includes('put the call on hold') ? 'final' : 'other');
      release();
      return d();
    });
    await press(c, 'call.hold.01');
    await s.slack.idle();
    expect(putsWhenNoteLanded).toBe(1);
    expect(applied[0]).toBe('final');
    expect(applied).toContain('working');
    expect(applied[applied.length - 1]).toBe('final');
  });

  it('a 429 on the note does not hold up the action', async () => {
    const c = await card();
    let putsWhenRefused = -1;
    s.api.respondWith('chat.update', async (call, d) => {
      if (!String(call.body.text).includes('working')) return d();
      // The note is answered only once VoipNow got the PUT: if the PUT waited for the note, this would never end.
      await waitUntil('the PUT while the note waits', () => puts().length > 0);
      putsWhenRefused = puts().length;
      return httpReply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
    });
    await press(c, 'call.hold.01');
    await s.slack.idle();
    expect(putsWhenRefused).toBe(1);
    const last = updatesOf(c.ts)
      .filter((u) => !String(u.body.text).includes('working'))
      .pop()!;
    expect(text(last)).toContain('put the call on hold');
  });
});

describe('when Slack refuses a card', () => {
  it('a press: the minimal card is shown and the user hears that the action ran', async () => {
    const c = await card();
    s.api.respondWith('chat.update', (call, d) => ((call.body.blocks as unknown[]).length > 2 ? { ok: false, error: 'invalid_blocks' } : d()));
    await press(c, 'call.hold.01');
    await s.slack.idle();
    expect(puts()).toHaveLength(1);
    expect(privately(/The action ran, but Slack could not show the card \(invalid_blocks\)/)).toHaveLength(1);
    const minimal = updatesOf(c.ts).filter((u) => (u.body.blocks as unknown[]).length === 2);
    expect(minimal.some((u) => text(u).includes('Slack could not show the full card'))).toBe(true);
  });

  it('any other Slack failure on the card still tells the user that the action ran', async () => {
    const c = await card();
    s.api.respondWith('chat.update', { ok: false, error: 'fatal_error' });
    await press(c, 'call.hold.01');
    await s.slack.idle();
    expect(puts()).toHaveLength(1);
    expect(privately(/The action ran, but Slack did not take its card \(fatal_error\)/)).toHaveLength(1);
  });

  it('a command: msg_too_long posts the minimal card instead', async () => {
    s.api.respondWith('chat.postMessage', (call, d) => ((call.body.blocks as unknown[]).length > 2 ? { ok: false, error: 'msg_too_long' } : d()));
    await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: `hold 0003*210 ${CALL}`, response_url: s.api.responseUrl('/cmd') });
    await s.slack.idle();
    expect(puts()).toHaveLength(1);
    const posts = s.api.callsTo('chat.postMessage');
    expect(posts.map((p) => (p.body.blocks as unknown[]).length)).toEqual([expect.any(Number), 2]);
    expect(privately(/The action ran, but Slack could not show the card \(msg_too_long\)/)).toHaveLength(1);
  });
});

describe('the action modal', () => {
  const submit = (privateMetadata: string, values: Record<string, Record<string, unknown>>, user = 'UA') =>
    viewSubmission(s.base, SIGNING_SECRET, viewSubmissionPayload({ user, callbackId: 'call.modal', privateMetadata, values: values as never }));
  const meta = (m: Record<string, unknown>) => JSON.stringify({ call: CALL, extension: '0003*210', view: '01', card: 'k', ...m });
  const to = { to: { value: { type: 'plain_text_input', value: '0003*024' } } };

  it('tampered metadata naming hangup is refused on the form; the call lives on', async () => {
    const res = await submit(meta({ action: 'hangup' }), to);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_action: 'errors', errors: { to: expect.stringMatching(/out of date/) } });
    await s.slack.idle();
    expect(uapi()).toHaveLength(0);
    expect(s.sandbox.world.calls.has(CALL)).toBe(true);
  });

  it('every metadata field is checked again: a bad call id, extension or view is refused', async () => {
    for (const bad of [{ call: '../../x' }, { extension: '0003*210/../..' }, { view: '01 02' }, { action: 'hold' }, { card: 7 }]) {
      const res = await submit(meta({ action: 'whisper', ...bad }), to);
      expect(res.json, JSON.stringify(bad)).toMatchObject({ response_action: 'errors' });
    }
    await s.slack.idle();
    expect(uapi()).toHaveLength(0);
  });

  it('values that are not text (a number, an object, missing state) are acknowledged with field errors', async () => {
    const asNumber = await submit(meta({ action: 'whisper' }), { to: { value: { type: 'plain_text_input', value: 42 } }, wait: { value: { type: 'plain_text_input', value: { x: 1 } } } });
    expect(asNumber.status).toBe(200);
    expect(asNumber.json).toMatchObject({ response_action: 'errors', errors: { to: expect.any(String), wait: expect.any(String) } });
    const asObject = await submit(meta({ action: 'transfer' }), { to: { value: 'not an object' } as never });
    expect(asObject.json).toMatchObject({ response_action: 'errors', errors: { to: expect.any(String) } });
    const nothing = await submit(meta({ action: 'listen' }), {});
    expect(nothing.json).toMatchObject({ response_action: 'errors', errors: { to: expect.stringMatching(/Enter the extension/) } });
    await s.slack.idle();
    expect(uapi()).toHaveLength(0);
  });

  it('a role the user does not have is refused at submission too (tampered metadata cannot skip it)', async () => {
    const res = await submit(meta({ action: 'barge' }), to, 'UB');
    expect(res.status).toBe(200);
    await s.slack.idle();
    expect(uapi()).toHaveLength(0);
    const told = s.api.calls.find((c) => /not allowed to barge/.test(String(c.body.text)));
    expect(told).toBeDefined();
  });
});

describe('one request, one admission', () => {
  it('a permission refusal says so, once per press, and nothing reaches VoipNow', async () => {
    const c = await card();
    await press(c, 'call.whisper.01', 'UB');
    await s.slack.idle();
    const refusal = privately(/not allowed to whisper/);
    expect(refusal).toHaveLength(1);
    expect(String(refusal[0]!.body.text)).not.toMatch(/sign-in/);
    expect(supervisorChecks).toEqual(['UB']);
    expect(s.api.callsTo('views.open')).toHaveLength(0);
    expect(uapi()).toHaveLength(0);
  });

  it('a supervisor press opens the modal after one role check', async () => {
    const c = await card();
    await press(c, 'call.whisper.01', 'UA');
    await s.slack.idle();
    expect(supervisorChecks).toEqual(['UA']);
    const opened = s.api.callsTo('views.open');
    expect(opened).toHaveLength(1);
    expect(JSON.parse((opened[0]!.body.view as { private_metadata: string }).private_metadata)).toMatchObject({ action: 'whisper', call: CALL, extension: '0003*210', view: '01' });
  });

  it('a card press sends the PUT at once (no read before it) and reads the call back once', async () => {
    const c = await card();
    await press(c, 'call.hold.01');
    await s.slack.idle();
    expect(uapi().map((r) => r.method)).toEqual(['PUT', 'GET']);
  });

  it('afterAction hooks hear of each completed action once', async () => {
    const heard: ActionDone[] = [];
    s.slack.deps.afterAction.push((d) => void heard.push(d));
    const c = await card();
    await press(c, 'call.hold.01');
    await s.slack.idle();
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({ user: { userId: 'UA' }, outcome: { kind: 'action', action: 'hold', phoneCallId: CALL, viewId: '01' } });
    expect(heard[0]!.message.text).toContain('on hold');
  });

  it('errors in Slack suggest Slack syntax', async () => {
    await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: 'hold 0003*210 ffffffffffffffffffff', response_url: s.api.responseUrl('/gone') });
    await s.slack.idle();
    expect(privately(/`\/call list 0003\*210`/)).toHaveLength(1);
  });
});
