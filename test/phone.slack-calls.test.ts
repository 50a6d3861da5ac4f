/**
 * Slack Calls through the real app: `/call dial` registers the PBX call with `calls.add`
 * (the PBX call id as external_unique_id, the dialer as a Slack user, the number as an
 * external participant) and shows it in the channel; the PBX hangup, seen by the phone
 * lines' reconciliation, makes `calls.end`, once. As the PBX call's legs come and go, Slack
 * is told who is connected (`calls.participants.add`/`remove`) and whom the call is with
 * (`calls.update`), once per change.
 */
import { describe, expect, it } from 'vitest';
import { SIGNING_SECRET } from './helpers/stack.js';
import { PHONE_LINES, sharedStack } from './helpers/shared-stack.js';
import { blockAction, slashCommand } from './helpers/signed.js';
import { blockActionPayload } from './helpers/payloads.js';
import { waitUntil } from './helpers/wait.js';

describe('Slack Calls', () => {
  const s = sharedStack(PHONE_LINES, async (st) => {
    await st.link('UA', '12', '0003*210');
    await st.link('UB', '13', '0003*024');
  });

  it('/call dial makes calls.add with the PBX call id, and the PBX hangup makes calls.end', async () => {
    const res = await slashCommand(s.base, SIGNING_SECRET, { text: 'dial 5550999', user_id: 'UA', channel_id: 'C1' });
    expect(res.status).toBe(200);
    const add = await s.api.waitFor('calls.add', undefined, 10_000);
    const create = s.sandbox.requests.find((r) => r.method === 'POST' && r.path === '/uapi/phoneCalls/@me/simple');
    expect(create).toMatchObject({ userId: '12', body: { extension: '0003*210' } });
    const callId = [...s.sandbox.world.calls.values()].find((c) => c.views[0]?.destination.includes('5550999'))!.id;
    expect(add.body).toMatchObject({ external_unique_id: callId, created_by: 'UA', users: [{ slack_id: 'UA' }, { external_id: '5550999', display_name: '5550999' }] });
    expect(String(add.body.join_url)).toMatch(/^https:\/\/slack\.com\/app_redirect\?channel=C1$/);
    const shown = await s.api.waitFor('chat.postMessage', (c) => JSON.stringify(c.body.blocks ?? '').includes('"type":"call"'), 10_000);
    expect(shown.body.channel).toBe('C1');
    const slackCallId = (shown.body.blocks as Array<{ call_id: string }>)[0]!.call_id;
    expect(slackCallId).toMatch(/^R/);

    // The call is up (the line has listed it); the PBX hangs it up.
    await waitUntil(
      's.sandbox.requests.filter((r) => r.method === "GET" && r.path.inclu...',
      () => (s.sandbox.requests.filter((r) => r.method === 'GET' && r.path.includes('0003*210')).length >= 2 ? true : undefined),
      10_000,
    );
    const res2 = await fetch(`${s.sandbox.url}/_sandbox/calls/${callId}/hangup`, { method: 'POST' });
    expect(res2.status).toBe(200);
    const end = await s.api.waitFor('calls.end', undefined, 10_000);
    expect(end.body).toMatchObject({ id: slackCallId });
    expect(await s.store.listSlackCalls()).toEqual([]);
    const mark = s.sandbox.requests.length;
    await waitUntil(
      's.sandbox.requests.slice(mark).filter((r) => r.method === "GET").le...',
      () => (s.sandbox.requests.slice(mark).filter((r) => r.method === 'GET').length >= 3 ? true : undefined),
      10_000,
    );
    await s.slack.idle();
    expect(s.api.callsTo('calls.end')).toHaveLength(1);
  });

  it('a linked user at the other end is a Slack participant', async () => {
    await slashCommand(s.base, SIGNING_SECRET, { text: 'dial 0003*024', user_id: 'UA', channel_id: 'C1' });
    const add = await s.api.waitFor('calls.add', undefined, 10_000);
    expect(add.body.users).toEqual([{ slack_id: 'UA' }, { slack_id: 'UB' }]);
    await s.slack.idle();
  });

  it('the far end answering retitles the call once; a party barging in joins it as a Slack user', async () => {
    await slashCommand(s.base, SIGNING_SECRET, { text: 'dial 5550999', user_id: 'UA', channel_id: 'C1' });
    const add = await s.api.waitFor('calls.add', undefined, 10_000);
    const callId = String(add.body.external_unique_id);
    const slackCallId = (await s.api.waitFor('chat.postMessage', (c) => JSON.stringify(c.body.blocks ?? '').includes('"type":"call"'), 10_000)).body.blocks as Array<{ call_id: string }>;
    const id = slackCallId[0]!.call_id;
    const update = await s.api.waitFor('calls.update', undefined, 10_000);
    expect(update.body).toMatchObject({ id, title: 'Call with 5550999' });
    // The parties are the ones dialled: nobody joins or leaves when the far end answers.
    expect(s.api.callsTo('calls.participants.add')).toHaveLength(0);

    // UB's extension barges in: a leg the parties hear, so UB joins the Slack Call.
    const asked = (await slashCommand(s.base, SIGNING_SECRET, { text: `barge 0003*210 ${callId} to 0003*024`, user_id: 'UA', channel_id: 'C1', response_url: s.api.responseUrl('/barge') }))
      .json as { blocks: Array<{ elements?: Array<{ action_id?: string; value?: string }> }> };
    const confirm = asked.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'command.confirm')!;
    const pressed = await blockAction(
      s.base,
      SIGNING_SECRET,
      blockActionPayload({
        user: 'UA',
        messageTs: '1700000001.000001',
        isEphemeral: true,
        actionId: 'command.confirm',
        value: confirm.value!,
        responseUrl: s.api.responseUrl('/barge/confirm'),
      }),
    );
    expect(pressed.status).toBe(200);
    const joined = await s.api.waitFor('calls.participants.add', undefined, 10_000);
    expect(joined.body).toMatchObject({ id, users: [{ slack_id: 'UB' }] });
    const retitled = await s.api.waitFor('calls.update', (c) => c !== update, 10_000);
    expect(retitled.body).toMatchObject({ id, title: 'Call with 2 parties' });

    // Reads go on; nothing changes, so nothing more is said.
    const mark = s.sandbox.requests.length;
    await waitUntil('three more line reads', () => (s.sandbox.requests.slice(mark).filter((r) => r.method === 'GET').length >= 3 ? true : undefined), 10_000);
    await s.slack.idle();
    expect(s.api.callsTo('calls.participants.add')).toHaveLength(1);
    expect(s.api.callsTo('calls.update')).toHaveLength(2);
    expect(s.api.callsTo('calls.participants.remove')).toHaveLength(0);
    await fetch(`${s.sandbox.url}/_sandbox/calls/${callId}/hangup`, { method: 'POST' });
    await s.api.waitFor('calls.end', undefined, 10_000);
  });
});
