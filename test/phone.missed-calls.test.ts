/**
 * Missed calls through the real app: a call that rings on a linked user's extension and is
 * not answered sends that user one DM naming the caller (escaped) with Call back; Call back
 * places the call from the user's phone with their own token; answered calls and users who
 * turned the DMs off get none.
 */
import { describe, expect, it } from 'vitest';
import { SIGNING_SECRET } from './helpers/stack.js';
import { PHONE_LINES, sharedStack } from './helpers/shared-stack.js';
import { blockAction, slashCommand } from './helpers/signed.js';
import { blockActionPayload } from './helpers/payloads.js';
import { waitUntil } from './helpers/wait.js';
import type { RecordedCall } from './helpers/slack-api.js';

interface Block {
  type: string;
  block_id?: string;
  text?: { text: string };
  elements?: Array<{ action_id?: string; value?: string; text?: { text: string } }>;
}

describe('missed calls', () => {
  const s = sharedStack(PHONE_LINES, (st) => st.link('UA', '12', '0003*210'));

  const control = async (path: string, body: unknown = {}) => {
    const res = await fetch(`${s.sandbox.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBeLessThan(300);
    return (await res.json()) as { id: string };
  };
  const dmsAbout = (callId: string) => s.api.callsTo('chat.postMessage').filter((c) => c.body.channel === 'UA' && JSON.stringify(c.body.blocks ?? '').includes(`missed.${callId}`));
  /** Reads of the user's extension after the given moment (the line has looked again). */
  const readsSince = (n: number) => s.sandbox.requests.slice(n).filter((r) => r.method === 'GET' && r.path.includes('0003*210') && r.status === 200).length;
  const rang = (id: string) => s.sandbox.changes.since(0).some((c) => c.callId === id && c.state === 'ringing');

  it('a call that rings out sends one DM naming the caller, escaped, with Call back; Call back dials with the user token', async () => {
    const call = await control('/_sandbox/calls', { to: '0003*210', from: '5551234', callerId: '"<!channel> *x*" <5551234>', autoAnswer: false, waitForPickup: 1 });
    expect(rang(call.id)).toBe(true);
    const dm: RecordedCall = await waitUntil('dmsAbout(call.id)[0]', () => dmsAbout(call.id)[0], 15_000);
    const blocks = dm.body.blocks as Block[];
    const text = JSON.stringify(blocks);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
    expect(String(dm.body.text)).not.toContain('<!channel>');
    expect(blocks[0]!.text!.text).toMatch(/Missed call\* from .*`5551234` on `0003\*210`/);
    expect(blocks[0]!.text!.text).toMatch(/<!date\^\d+\^/);
    expect(blocks[0]!.text!.text).toMatch(/rang \d+s/);
    const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'phone.call_back')!;
    expect(JSON.parse(button.value!)).toEqual({ n: '5551234', e: '0003*210' });

    // The line keeps reading: still one DM.
    const mark = s.sandbox.requests.length;
    await waitUntil('readsSince(mark) >= 3', () => (readsSince(mark) >= 3 ? true : undefined), 10_000);
    await s.slack.idle();
    expect(dmsAbout(call.id)).toHaveLength(1);

    const before = s.sandbox.requests.length;
    const res = await blockAction(
      s.base,
      SIGNING_SECRET,
      blockActionPayload({ user: 'UA', channel: 'DUA', messageTs: String(dm.body.ts ?? '1.1'), messageBlocks: blocks, actionId: 'phone.call_back', value: button.value! }),
    );
    expect(res.status).toBe(200);
    const create = await waitUntil(
      's.sandbox.requests.slice(before).find((r) => r.method === "POST" &&...',
      () => s.sandbox.requests.slice(before).find((r) => r.method === 'POST' && r.path === '/uapi/phoneCalls/@me/simple'),
      10_000,
    );
    expect(create).toMatchObject({ userId: '12', body: { extension: '0003*210', phoneCallView: [{ source: ['0003*210'], destination: ['5551234'] }] } });
    await s.api.waitFor('chat.postMessage', (c) => c.body.channel === 'DUA', 10_000);
    await s.slack.idle();
  });

  it('a call the caller hangs up while it rings is missed; an answered call is not', async () => {
    const hungUp = await control('/_sandbox/calls', { to: '0003*210', from: '5550111', callerId: 'Ann Caller <5550111>', autoAnswer: false, waitForPickup: 60 });
    // Seen ringing by the line before the caller gives up.
    await waitUntil(
      's.sandbox.requests.filter((r) => r.method === "GET" && r.path.inclu...',
      () => (s.sandbox.requests.filter((r) => r.method === 'GET' && r.path.includes('0003*210')).length >= 2 ? true : undefined),
      10_000,
    );
    await control(`/_sandbox/calls/${hungUp.id}/hangup`);
    const dm = await waitUntil('dmsAbout(hungUp.id)[0]', () => dmsAbout(hungUp.id)[0], 15_000);
    expect(JSON.stringify(dm.body.blocks)).toContain('*Ann Caller* `5550111`');

    const answered = await control('/_sandbox/calls', { to: '0003*210', from: '5550222', autoAnswer: false, waitForPickup: 60 });
    const seen = s.sandbox.requests.length;
    await waitUntil('readsSince(seen) >= 2', () => (readsSince(seen) >= 2 ? true : undefined), 10_000);
    await control(`/_sandbox/calls/${answered.id}/answer`);
    const talking = s.sandbox.requests.length;
    await waitUntil('readsSince(talking) >= 2', () => (readsSince(talking) >= 2 ? true : undefined), 10_000);
    await control(`/_sandbox/calls/${answered.id}/hangup`);
    const after = s.sandbox.requests.length;
    await waitUntil('readsSince(after) >= 3', () => (readsSince(after) >= 3 ? true : undefined), 10_000);
    await s.slack.idle();
    expect(dmsAbout(answered.id)).toHaveLength(0);
  });

  it('a ringing call the user sends to voicemail is missed, with a voicemail line, once the caller hangs up', async () => {
    const call = await control('/_sandbox/calls', { to: '0003*210', from: '5550666', callerId: 'Vera Voicemail <5550666>', autoAnswer: false, waitForPickup: 60 });
    await waitUntil(
      's.sandbox.requests.filter((r) => r.method === "GET" && r.path.inclu...',
      () => (s.sandbox.requests.filter((r) => r.method === 'GET' && r.path.includes('0003*210')).length >= 2 ? true : undefined),
      10_000,
    );
    const asked = (await slashCommand(s.base, SIGNING_SECRET, { text: `voicemail 0003*210 ${call.id} to 0003*210`, user_id: 'UA', channel_id: 'C1', response_url: s.api.responseUrl('/vm') }))
      .json as { blocks: Block[] };
    const confirm = asked.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'command.confirm')!;
    await blockAction(
      s.base,
      SIGNING_SECRET,
      blockActionPayload({
        user: 'UA',
        messageTs: '1700000001.000001',
        isEphemeral: true,
        actionId: 'command.confirm',
        value: confirm.value!,
        responseUrl: s.api.responseUrl('/vm/confirm'),
      }),
    );
    await waitUntil(
      's.sandbox.requests.find((r) => r.method === "PUT" && (r.body as { a...',
      () => s.sandbox.requests.find((r) => r.method === 'PUT' && (r.body as { action?: string } | null)?.action === 'TransferToVoicemail' && r.status === 202),
      10_000,
    );
    const talking = s.sandbox.requests.length;
    await waitUntil('readsSince(talking) >= 2', () => (readsSince(talking) >= 2 ? true : undefined), 10_000);
    await control(`/_sandbox/calls/${call.id}/hangup`);
    const dm = await waitUntil('dmsAbout(call.id)[0]', () => dmsAbout(call.id)[0], 15_000);
    expect(JSON.stringify(dm.body.blocks)).toContain('went to voicemail');
    await s.slack.idle();
  });

  it('/call notify off stops the DMs, /call notify on brings them back; bad input says what is allowed', async () => {
    const say = async (text: string) => (await slashCommand(s.base, SIGNING_SECRET, { text, user_id: 'UA', channel_id: 'C1' })).json as { text: string };
    expect((await say('notify maybe')).text).toMatch(/`\/call notify maybe` is not known: use `\/call notify on` or `\/call notify off`/);
    expect((await say('notify')).text).toMatch(/needs `on` or `off`/);
    expect((await say('notify off')).text).toMatch(/Missed-call DMs are off/);
    const quiet = await control('/_sandbox/calls', { to: '0003*210', from: '5550333', autoAnswer: false, waitForPickup: 1 });
    await waitUntil(
      's.sandbox.changes.since(0).some((c) => c.callId === quiet.id && c.s...',
      () => (s.sandbox.changes.since(0).some((c) => c.callId === quiet.id && c.state === 'ended') ? true : undefined),
      10_000,
    );
    const after = s.sandbox.requests.length;
    await waitUntil('readsSince(after) >= 3', () => (readsSince(after) >= 3 ? true : undefined), 10_000);
    await s.slack.idle();
    expect(dmsAbout(quiet.id)).toHaveLength(0);

    expect((await say('notify on')).text).toMatch(/Missed-call DMs are on/);
    const loud = await control('/_sandbox/calls', { to: '0003*210', from: '5550444', autoAnswer: false, waitForPickup: 1 });
    await waitUntil('dmsAbout(loud.id)[0]', () => dmsAbout(loud.id)[0], 15_000);
    await s.slack.idle();
  });
});
