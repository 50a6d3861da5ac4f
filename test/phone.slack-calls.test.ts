/**
 * Slack Calls through the real app: `/call dial` registers the PBX call with `calls.add`
 * (the PBX call id as external_unique_id, the dialer as a Slack user, the number as an
 * external participant) and shows it in the channel; the PBX hangup, seen by the phone
 * lines' reconciliation, makes `calls.end`, once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { resetStack } from './helpers/stack-reset.js';
import { slashCommand } from './helpers/signed.js';
import { waitUntil } from './helpers/wait.js';

describe('Slack Calls', () => {
  let s: Stack;
  const posted: string[] = [];
  beforeAll(async () => {
    s = await startStack({ pickupDelayMs: 30, phoneLines: true, board: { timing: { liveMs: 40, idleMs: 80, maxBackoffMs: 400, lingerMs: 0, eventGapMs: 0 } } });
  });
  afterAll(() => s.close());
  beforeEach(async () => {
    resetStack(s, posted);
    await s.link('UA', '12', '0003*210');
    await s.link('UB', '13', '0003*024');
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
});
