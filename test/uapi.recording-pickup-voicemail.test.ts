/**
 * PickUp, StartRecording / StopRecording and TransferToVoicemail: the adapter's
 * input rules, the request bodies (PhoneCallAction table of the PhoneCalls
 * resource page: `format` wav or wav49; PickUp/TransferToVoicemail pages: sendCallTo),
 * the sandbox's behaviour, and the same actions as typed commands (the console's
 * runLine, which is what `npm run console` and `/call` parse and execute).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../src/calls/command.js';
import { callCard } from '../src/slack/blocks/call-card.js';
import { runLine } from '../src/console/session.js';
import { SEED_IDS } from '../src/sandbox/server.js';
import type { UapiClient } from '../src/uapi/client.js';
import { phoneCallSchema, type PhoneCall } from '../src/uapi/schemas.js';
import { waitUntil } from './helpers/wait.js';
import { rejection, useSandboxEnv } from './helpers/uapi-sandbox.js';

const CALL = SEED_IDS.seedCall;
const ref = { userId: '12', extension: '0003*210', phoneCallId: CALL };

const env = useSandboxEnv({ pickupDelayMs: 40, timeoutMs: 5000, clearFaults: true, clearRequests: true });
let john: UapiClient;
let bob: UapiClient;

beforeEach(() => {
  john = env.client('12');
  bob = env.client('14');
});

const puts = () => env.sandbox.requests.filter((r) => r.method === 'PUT');

/** A public caller rings Bob's lobby phone, which never answers: the call keeps ringing. */
async function ringingCall(): Promise<string> {
  const res = await fetch(`${env.sandbox.url}/_sandbox/calls`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ to: '0003*026', from: '5550100', waitForPickup: 600 }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe('PickUp', () => {
  it('sends the page body and the ringing call moves to sendCallTo once it answers', async () => {
    const id = await ringingCall();
    const lobby = { userId: '14', extension: '0003*026', phoneCallId: id };
    await bob.act(lobby, { action: 'PickUp', sendCallTo: '0003*025', waitForPickup: 20, phoneCallViewId: '01' });
    expect(puts().at(-1)!.body).toEqual({ action: 'PickUp', sendCallTo: '0003*025', waitForPickup: '20', phoneCallViewId: '01' });
    const view = await waitUntil('the picked-up call to be answered', async () => {
      const v = (await bob.getPhoneCall({ ...lobby, extension: '0003*025' }))?.phoneCallView[0];
      return v?.status === 5 ? v : undefined;
    });
    expect(view).toMatchObject({ extension: '0003*025', source: ['5550100'], destination: ['0003*025'] });
  });

  it('a call that is not ringing cannot be picked up: the server says which view is wrong', async () => {
    const err = await rejection(john.act(ref, { action: 'PickUp', sendCallTo: '0003*024', phoneCallViewId: '01' }));
    expect(err).toMatchObject({ status: 400, code: 'pc_phonecallview_invalid' });
  });

  it('a target that is not an extension is refused before anything is sent', async () => {
    const err = await rejection(john.act(ref, { action: 'PickUp', sendCallTo: 'front desk', phoneCallViewId: '01' }));
    expect(err).toMatchObject({ kind: 'invalid_input', code: 'pc_sendcallto_invalid' });
    expect(puts()).toHaveLength(0);
  });
});

describe('StartRecording / StopRecording', () => {
  it('records in the format asked for, then stops', async () => {
    const started = await john.act(ref, { action: 'StartRecording', phoneCallViewId: '01', format: 'wav49' });
    expect(puts().at(-1)!.body).toEqual({ action: 'StartRecording', phoneCallViewId: '01', format: 'wav49' });
    expect(Date.parse(started.call!.phoneCallView[0]!.recording!)).not.toBeNaN();
    const stopped = await john.act(ref, { action: 'StopRecording', phoneCallViewId: '01' });
    expect(puts().at(-1)!.body).toEqual({ action: 'StopRecording', phoneCallViewId: '01' });
    expect(stopped.call!.phoneCallView[0]!.recording).toBeUndefined();
  });

  it('without a format the body has none (VoipNow records wav)', async () => {
    await john.act(ref, { action: 'StartRecording', phoneCallViewId: '01' });
    expect(puts().at(-1)!.body).toEqual({ action: 'StartRecording', phoneCallViewId: '01' });
  });

  it('a format other than wav or wav49 is refused before sending, and by the sandbox', async () => {
    const err = await rejection(john.act(ref, { action: 'StartRecording', phoneCallViewId: '01', format: 'mp3' }));
    expect(err).toMatchObject({ kind: 'invalid_input', code: 'pc_format_invalid', field: 'format' });
    expect(err.sentence).toContain('wav49');
    expect(puts()).toHaveLength(0);
    const raw = await fetch(`${env.sandbox.url}/uapi/phoneCalls/12/0003*210/${CALL}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${env.sandbox.issueToken('12').accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: 'StartRecording', phoneCallViewId: '01', format: 'mp3' }),
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { error: { code: string } }).error.code).toBe('pc_format_invalid');
  });
});

describe('TransferToVoicemail', () => {
  it("sends the call to the extension's mailbox", async () => {
    const { call } = await john.act(ref, { action: 'TransferToVoicemail', sendCallTo: '0003*024', phoneCallViewId: '01' });
    expect(puts().at(-1)!.body).toEqual({ action: 'TransferToVoicemail', sendCallTo: '0003*024', phoneCallViewId: '01' });
    expect(call!.phoneCallView[0]).toMatchObject({ extension: '0003*024', destination: ['0003*024'], status: 5 });
  });

  it('a public number cannot take voicemail: refused before sending', async () => {
    const err = await rejection(john.act(ref, { action: 'TransferToVoicemail', sendCallTo: '+15551234567', phoneCallViewId: '01' }));
    expect(err).toMatchObject({ kind: 'invalid_input', code: 'pc_sendcallto_invalid' });
    expect(puts()).toHaveLength(0);
  });
});

describe('as commands (console and /call share the parser and executor)', () => {
  it('parses pickup, record start|stop and voicemail with their options', () => {
    expect(parseCommand('pickup 0003*300 a3c9e27f01b4d5e6f789 to 0003*210')).toMatchObject({
      kind: 'action',
      action: 'pickup',
      extension: '0003*300',
      phoneCallId: 'a3c9e27f01b4d5e6f789',
      params: { to: '0003*210' },
    });
    expect(parseCommand(`record start 0003*210 ${CALL} format wav49`)).toMatchObject({ action: 'record', params: { format: 'wav49' } });
    expect(parseCommand(`record stop 0003*210 ${CALL}`)).toMatchObject({ action: 'stoprecord', extension: '0003*210' });
    expect(parseCommand(`voicemail 0003*210 ${CALL} to 0003*024`)).toMatchObject({ action: 'voicemail', params: { to: '0003*024' } });
  });

  it('bad input gets one clear line: what is wrong, what is allowed, an example', () => {
    expect(() => parseCommand('record 0003*210')).toThrow(/`record 0003\*210` is not known: use `record start` or `record stop`.*Usage: `record start\|stop <extension>/);
    expect(() => parseCommand(`record start 0003*210 ${CALL} format mp3`)).toThrow(/`mp3` is not a recording format: use `wav` or `wav49`/);
    expect(() => parseCommand('pickup 0003*300')).toThrow(/needs a target: add `to <extension>`.*Example: `pickup 0003\*300/);
    expect(() => parseCommand('voicemail 0003*210 to +15551234567')).toThrow(/not a valid target/);
  });

  it('the console runs each of them against the sandbox', async () => {
    const rec = await runLine(john, `record start 0003*210 ${CALL}`);
    expect(rec).toMatchObject({ ok: true });
    expect(rec.text).toMatch(/OK: started recording call b817d2618fe6f1804333[\s\S]*recording since/);
    const stop = await runLine(john, `record stop ${CALL}`);
    expect(stop.text).toMatch(/OK: stopped recording call/);
    expect(stop.text).not.toMatch(/recording since/);

    const id = await ringingCall();
    const pick = await runLine(bob, `pickup 0003*026 ${id} to 0003*025`);
    expect(pick).toMatchObject({ ok: true });
    expect(pick.text).toContain(`OK: picked up call ${id}`);
    expect(puts().at(-1)!.body).toMatchObject({ action: 'PickUp', sendCallTo: '0003*025' });

    const vm = await runLine(john, `voicemail 0003*210 ${CALL} to 0003*024`);
    expect(vm.text).toContain(`OK: sent to voicemail call ${CALL}`);
  });
});

describe('buttons the state allows', () => {
  const ids = (call: PhoneCall) =>
    (callCard(call, { extension: '0003*210' }).blocks as Array<{ elements?: Array<{ action_id?: string }> }>).flatMap((b) => (b.elements ?? []).map((e) => e.action_id)).filter(Boolean);

  it('Pick up and Voicemail on a ringing view, Record on an answered one, Stop recording while recording', () => {
    const ringing = phoneCallSchema.parse({ id: 'r1', extension: '0003*026', phoneCallView: [{ id: '01', status: '3', source: ['5550100'], destination: ['0003*026'] }] });
    expect(ids(ringing)).toEqual(['call.pickup.01', 'call.voicemail.01', 'call.refresh', 'call.hangup']);
    const answered = phoneCallSchema.parse({ id: 'a1', extension: '0003*210', phoneCallView: [{ id: '01', status: '5' }] });
    expect(ids(answered)).toContain('call.record.01');
    expect(ids(answered)).not.toContain('call.stoprecord.01');
    const recording = phoneCallSchema.parse({ id: 'a2', extension: '0003*210', phoneCallView: [{ id: '01', status: '5', recording: '2026-01-01T00:00:00Z' }] });
    expect(ids(recording)).toContain('call.stoprecord.01');
    expect(ids(recording)).not.toContain('call.record.01');
    expect(JSON.stringify(callCard(recording, { extension: '0003*210' }).blocks)).toContain('Recording since');
  });
});
