/**
 * Placing a call (click-to-call) through Create PhoneCalls
 * (`POST /uapi/phoneCalls/{userId}/simple`, reference §4.1): the parser, the
 * adapter against the sandbox (the caller's own phone rings first, then the
 * destination), the console, and /call in Slack posting a card that follows
 * the new call until it is answered.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../src/calls/command.js';
import { runLine } from '../src/console/session.js';
import type { UapiClient } from '../src/uapi/client.js';
import { UapiError } from '../src/uapi/errors.js';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { resetStack } from './helpers/stack-reset.js';
import { slashCommand } from './helpers/signed.js';
import { waitUntil } from './helpers/wait.js';
import { useSandboxEnv } from './helpers/uapi-sandbox.js';

describe('dial: the command', () => {
  it('reads a number or extension, from and as', () => {
    expect(parseCommand('dial +15551234567')).toEqual({ kind: 'dial', destination: '+15551234567' });
    expect(parseCommand('dial +1 (555) 123-4567')).toEqual({ kind: 'dial', destination: '+15551234567' });
    expect(parseCommand('dial 0003*024 from 0003*210 as "John Doe <3333>"')).toEqual({
      kind: 'dial',
      destination: '0003*024',
      from: '0003*210',
      callerId: 'John Doe <3333>',
    });
    expect(parseCommand('call 0003*024')).toEqual({ kind: 'dial', destination: '0003*024' });
  });

  it('bad input: what is wrong, what is allowed, an example', () => {
    expect(() => parseCommand('dial')).toThrow(/Which number\?.*Usage: `dial <number or extension> \[from <your extension>\]/);
    expect(() => parseCommand('dial bob')).toThrow(/`bob` is not a number to call: use an extension like `0003\*024` or a phone number.*Example: `dial \+15551234567 from 0003\*210`/);
    expect(() => parseCommand('dial 0003*024 from desk')).toThrow(/`desk` is not an extension number/);
    expect(() => parseCommand('dial 0003*024 as Boss')).toThrow(/not a caller ID/);
    expect(() => parseCommand('dial 0003*024 wait 5')).toThrow(/`wait` is not an option here/);
  });
});

describe('dial: adapter and sandbox', () => {
  const env = useSandboxEnv({ pickupDelayMs: 300, timeoutMs: 5000, clearFaults: false, clearRequests: true });
  let john: UapiClient;
  beforeEach(() => {
    john = env.client('12');
  });

  it("sends the page's body; the caller's phone rings first, then the destination, then they talk", async () => {
    const call = await john.placeCall({ extension: '0003*210', destination: '0003*024', callerId: 'John Doe <3333>', nonce: 'n1' });
    const post = env.sandbox.requests.find((r) => r.method === 'POST')!;
    expect(post).toMatchObject({
      path: '/uapi/phoneCalls/@me/simple',
      userId: '12',
      status: 200,
      body: { extension: '0003*210', phoneCallView: [{ source: ['0003*210'], destination: ['0003*024'], callerId: 'John Doe <3333>' }], nonce: 'n1' },
    });
    expect(call).toMatchObject({ nonce: 'n1', extension: '0003*210', phoneCallView: [{ id: '01', status: 3, source: ['0003*210'], destination: ['0003*024'] }] });
    const ref = { extension: '0003*210', phoneCallId: call!.id };
    // 3 ringing (John's phone) → 4 other side ringing (0003*024) → 5 on call.
    await waitUntil('the other side to ring', async () => (await john.getPhoneCall(ref))?.phoneCallView[0]?.status === 4);
    const answered = await waitUntil('the call to be answered', async () => {
      const c = await john.getPhoneCall(ref);
      return c?.phoneCallView[0]?.status === 5 ? c : undefined;
    });
    expect(answered.answered).toBeDefined();
  });

  it('a generated nonce, a public number, and the callback form', async () => {
    await john.placeCall({ extension: '0003*210', destination: '+15551234567' });
    expect((env.sandbox.requests.at(-1)!.body as { nonce: string }).nonce).toMatch(/^[0-9a-f]{32}$/);
    await john.placeCall({ extension: '0003*210', destination: '0003*025', mode: 'callback', waitForPickup: 20 });
    expect(env.sandbox.requests.at(-1)).toMatchObject({ path: '/uapi/phoneCalls/@me/callback', query: { waitForPickup: '20' }, status: 200 });
  });

  it("someone else's extension is refused by VoipNow in plain language; bad input never leaves", async () => {
    let err: unknown;
    try {
      await john.placeCall({ extension: '0003*024', destination: '0003*025' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UapiError);
    expect(err).toMatchObject({ status: 400, code: 'pc_extension_invalid' });
    expect((err as UapiError).sentence).toMatch(/use one of your own phone terminal extensions/);
    env.sandbox.requests.length = 0;
    await expect(john.placeCall({ extension: '0003*210', destination: 'front desk' })).rejects.toMatchObject({ kind: 'invalid_input', code: 'pc_destination_invalid' });
    expect(env.sandbox.requests).toHaveLength(0);
  });

  it("the console places the call from the signed-in user's extension, or asks which one", async () => {
    const ok = await runLine(john, 'dial 0003*024', { ownExtension: '0003*210' });
    expect(ok.ok).toBe(true);
    expect(ok.text).toMatch(/^OK: placed call [0-9a-f]{20}\.\nCall [0-9a-f]{20} on 0003\*210/);
    const which = await runLine(john, 'dial 0003*024');
    expect(which).toMatchObject({ ok: false });
    expect(which.text).toMatch(/Which of your phones should ring first\? Add `from <your extension>`/);
    expect((await runLine(john, 'dial 0003*024 from 0003*210')).ok).toBe(true);
  });
});

describe('dial: /call in Slack', () => {
  let s: Stack;
  const posted: string[] = [];
  beforeAll(async () => {
    s = await startStack({ pickupDelayMs: 300 });
  });
  afterAll(() => s.close());
  beforeEach(async () => {
    resetStack(s, posted, { clearFaults: false });
    await s.link('UA', '12', '0003*210');
  });

  it('rings your own extension first, posts a card for the new call and follows it until answered', async () => {
    const res = await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: 'dial 0003*024', response_url: s.api.responseUrl('/cmd/UA') });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_type: 'ephemeral' });
    const card = await s.api.waitFor('chat.postMessage');
    const post = s.sandbox.requests.find((r) => r.method === 'POST' && r.path === '/uapi/phoneCalls/@me/simple')!;
    expect(post).toMatchObject({ userId: '12', body: { extension: '0003*210', phoneCallView: [{ source: ['0003*210'], destination: ['0003*024'] }] } });
    const id = [...s.sandbox.world.calls.keys()].find((k) => !['b817d2618fe6f1804333', 'a3c9e27f01b4d5e6f789', 'c0ffee0011223344aabb'].includes(k))!;
    const text = JSON.stringify(card.body.blocks);
    expect(text).toContain(id);
    expect(text).toContain('<@UA> placed the call');
    const ts = posted[0]!;
    await s.api.waitFor('chat.update', (c) => c.body.ts === ts && /:large_green_circle: `[^`]*` is talking with `0003\*024`/.test(JSON.stringify(c.body.blocks)));
  });

  it('an unknown number gets one private line and nothing is sent', async () => {
    const res = await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: 'dial reception', response_url: s.api.responseUrl('/cmd/UA') });
    expect((res.json as { text: string }).text).toMatch(/`reception` is not a number to call/);
    expect(s.sandbox.requests.filter((r) => r.path.startsWith('/uapi/'))).toHaveLength(0);
  });
});
