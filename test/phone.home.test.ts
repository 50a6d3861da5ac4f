/**
 * The App Home call panel through the real app: it lists the linked user's live call as a call
 * card with the buttons its state allows; a Hold press in Home sends OnHold with the user's own
 * token and Home is drawn again showing the call held; the switch turns missed-call DMs off;
 * a call that rings on the extension while Home is open redraws it (the phone lines).
 */
import { describe, expect, it } from 'vitest';
import { SIGNING_SECRET } from './helpers/stack.js';
import { PHONE_LINES, sharedStack } from './helpers/shared-stack.js';
import { blockAction, eventCallback } from './helpers/signed.js';
import { TEST_APP_ID, VERIFICATION_TOKEN } from './helpers/payloads.js';
import { waitUntil } from './helpers/wait.js';
import type { RecordedCall } from './helpers/slack-api.js';

interface Block {
  type: string;
  block_id?: string;
  text?: { text: string };
  accessory?: { action_id?: string; value?: string };
  elements?: Array<{ action_id?: string; value?: string }>;
}

const SEED_CALL = 'b817d2618fe6f1804333';

/** A button press in the user's App Home, as Slack sends it (a view container, no channel, no response_url). */
function homePress(user: string, view: { id: string; blocks: Block[] }, actionId: string, value: string) {
  return {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: 'T1' },
    api_app_id: TEST_APP_ID,
    token: VERIFICATION_TOKEN,
    container: { type: 'view', view_id: view.id },
    trigger_id: `${Date.now()}.1.${Math.random().toString(16).slice(2)}`,
    team: { id: 'T1', domain: 'callops-test' },
    enterprise: null,
    is_enterprise_install: false,
    view: { id: view.id, team_id: 'T1', type: 'home', blocks: view.blocks, private_metadata: '', callback_id: '', state: { values: {} }, hash: '1.x', app_id: TEST_APP_ID },
    actions: [{ action_id: actionId, block_id: 'b', type: 'button', value, action_ts: `${Date.now() / 1000}`, text: { type: 'plain_text', text: 'x' } }],
  };
}

describe('App Home call panel', () => {
  const s = sharedStack(PHONE_LINES, (st) => st.link('UA', '12', '0003*210'));

  const open = async (): Promise<RecordedCall> => {
    const n = s.api.callsTo('views.publish').length;
    expect((await eventCallback(s.base, SIGNING_SECRET, { type: 'app_home_opened', user: 'UA', channel: 'DUA', tab: 'home' })).status).toBe(200);
    return waitUntil('s.api.callsTo("views.publish")[n]', () => s.api.callsTo('views.publish')[n], 10_000);
  };
  const blocksOf = (c: RecordedCall) => (c.body.view as { blocks: Block[] }).blocks;
  const buttons = (blocks: Block[]) => blocks.flatMap((b) => [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])]);

  it('lists the live call with its buttons; Hold in Home sends OnHold with the user token and redraws Home held', async () => {
    const first = await open();
    expect(first.body.user_id).toBe('UA');
    const blocks = blocksOf(first);
    const head = blocks.find((b) => b.block_id === `${SEED_CALL}.head`);
    expect(head?.text?.text).toMatch(/is talking with/);
    const hold = buttons(blocks).find((e) => e.action_id?.startsWith('home.call.hold'));
    expect(hold).toBeDefined();
    expect(JSON.stringify(blocks)).toContain('Missed-call DMs are *on*');

    const before = s.sandbox.requests.length;
    const publishes = s.api.callsTo('views.publish').length;
    const payload = homePress('UA', { id: 'V1', blocks }, hold!.action_id!, hold!.value!);
    const res = await blockAction(s.base, SIGNING_SECRET, payload);
    expect(res.status).toBe(200);
    // Slack retries the press (same action_ts), and the user presses the unchanged panel again: one Hold.
    await blockAction(s.base, SIGNING_SECRET, payload, { headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' } });
    await blockAction(s.base, SIGNING_SECRET, homePress('UA', { id: 'V1', blocks }, hold!.action_id!, hold!.value!));
    const put = await waitUntil(
      's.sandbox.requests.slice(before).find((r) => r.method === "PUT" && ...',
      () => s.sandbox.requests.slice(before).find((r) => r.method === 'PUT' && r.path.endsWith(`/${SEED_CALL}`)),
      10_000,
    );
    expect(put).toMatchObject({ userId: '12', body: { action: 'OnHold' } });
    const redrawn = await waitUntil(
      's.api .callsTo("views.publish") .slice(publishes) .find((c) => /on ...',
      () =>
        s.api
          .callsTo('views.publish')
          .slice(publishes)
          .find((c) => /on hold/i.test(blocksOf(c).find((b) => b.block_id === `${SEED_CALL}.head`)?.text?.text ?? '') && JSON.stringify(blocksOf(c)).includes('Hold: done on call')),
      10_000,
    );
    expect(buttons(blocksOf(redrawn)).some((e) => e.action_id?.startsWith('home.call.resume'))).toBe(true);
    await s.slack.idle();
    expect(s.sandbox.requests.filter((r) => r.method === 'PUT' && (r.body as { action?: string } | null)?.action === 'OnHold')).toHaveLength(1);
  });

  it('a refused press is said in the panel; the switch turns missed-call DMs off', async () => {
    const blocks = blocksOf(await open());
    const hold = buttons(blocks).find((e) => e.action_id?.startsWith('home.call.hold'))!;
    // The call ended meanwhile: the press is answered in the panel, not lost.
    s.sandbox.world.hangup(s.sandbox.world.calls.get(SEED_CALL)!);
    const publishes = s.api.callsTo('views.publish').length;
    await blockAction(s.base, SIGNING_SECRET, homePress('UA', { id: 'V2', blocks }, hold.action_id!, hold.value!));
    const said = await waitUntil(
      's.api .callsTo("views.publish") .slice(publishes) .find((c) => bloc...',
      () =>
        s.api
          .callsTo('views.publish')
          .slice(publishes)
          .find((c) => blocksOf(c).some((b) => b.block_id === 'home.note')),
      10_000,
    );
    expect(JSON.stringify(blocksOf(said).find((b) => b.block_id === 'home.note'))).toMatch(/:warning:/);

    const toggle = buttons(blocks).find((e) => e.action_id === 'home.notify')!;
    expect(toggle.value).toBe('off');
    const n = s.api.callsTo('views.publish').length;
    await blockAction(s.base, SIGNING_SECRET, homePress('UA', { id: 'V2', blocks }, 'home.notify', 'off'));
    const off = await waitUntil('s.api.callsTo("views.publish")[n]', () => s.api.callsTo('views.publish')[n], 10_000);
    expect(JSON.stringify(blocksOf(off))).toContain('Missed-call DMs are *off*');
    expect((await s.store.getLinkedAccount('T1', 'UA'))?.missedCallDms).toBe(false);
    await s.slack.idle();
  });

  it('while Home is open, a new call on the extension redraws it, and a missed one shows under recent calls with Call back', async () => {
    await open();
    const n = s.api.callsTo('views.publish').length;
    const res = await fetch(`${s.sandbox.url}/_sandbox/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: '0003*210', from: '5550777', callerId: 'Rita Ringer <5550777>', autoAnswer: false, waitForPickup: 1 }),
    });
    const call = (await res.json()) as { id: string };
    const ringing = await waitUntil(
      's.api .callsTo("views.publish") .slice(n) .find((c) => blocksOf(c)....',
      () =>
        s.api
          .callsTo('views.publish')
          .slice(n)
          .find((c) => blocksOf(c).some((b) => b.block_id === `${call.id}.head`)),
      10_000,
    );
    expect(JSON.stringify(blocksOf(ringing))).toContain('Rita Ringer');
    const missed = await waitUntil(
      's.api .callsTo("views.publish") .slice(n) .find((c) => blocksOf(c)....',
      () =>
        s.api
          .callsTo('views.publish')
          .slice(n)
          .find((c) => blocksOf(c).some((b) => b.block_id === `recent.${call.id}`)),
      15_000,
    );
    const line = blocksOf(missed).find((b) => b.block_id === `recent.${call.id}`)!;
    expect(line.text!.text).toMatch(/\*Rita Ringer\* `5550777` · \*missed\*/);
    expect(line.accessory).toMatchObject({ action_id: 'phone.call_back', value: JSON.stringify({ n: '5550777', e: '0003*210' }) });

    // Call back in Home dials as the user; the new call's card goes to the app's DM with them.
    const before = s.sandbox.requests.length;
    await blockAction(s.base, SIGNING_SECRET, homePress('UA', { id: 'V3', blocks: blocksOf(missed) }, 'phone.call_back', line.accessory!.value!));
    const create = await waitUntil(
      's.sandbox.requests.slice(before).find((r) => r.method === "POST" &&...',
      () => s.sandbox.requests.slice(before).find((r) => r.method === 'POST' && r.path === '/uapi/phoneCalls/@me/simple'),
      10_000,
    );
    expect(create).toMatchObject({ userId: '12', body: { extension: '0003*210', phoneCallView: [{ source: ['0003*210'], destination: ['5550777'] }] } });
    await s.api.waitFor('chat.postMessage', (c) => c.body.channel === 'DUA' && JSON.stringify(c.body.blocks ?? '').includes('.head'), 10_000);
    await s.slack.idle();
  });
});
