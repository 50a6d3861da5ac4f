import { beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import type { SlackApi } from './helpers/slack-api.js';
import { slashCommand } from './helpers/signed.js';
import { SIGNING_SECRET } from './helpers/stack.js';
import { pgUnavailable, pgUrl } from './helpers/pg.js';
import { replicaApps } from './helpers/replica-apps.js';
import { waitUntil } from './helpers/wait.js';

if (!pgUrl) console.warn(`phone.replicas: no PostgreSQL (${pgUnavailable}); skipped`);

describe.skipIf(!pgUrl)('missed calls with two replicas', () => {
  const timing = { liveMs: 40, idleMs: 80, maxBackoffMs: 400, lingerMs: 0, eventGapMs: 0 };
  const r = replicaApps({ schemaPrefix: 'callops_phone', options: () => ({ board: { timing } }) });
  const { apps, user } = r;
  let sandbox: Sandbox;
  let api: SlackApi;
  beforeAll(() => {
    ({ sandbox, api } = r);
    // The other replica takes the new link in on its next sync (every minute); now, here.
    apps[1]!.app.deps.phone!.changed();
  });

  it('both replicas see the call ring out; the user gets one DM', async () => {
    const res = await fetch(`${sandbox.url}/_sandbox/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: '0003*210', from: '5550555', callerId: 'Two Replicas <5550555>', autoAnswer: false, waitForPickup: 1 }),
    });
    const call = (await res.json()) as { id: string };
    const missedOn = (i: number) => apps[i]!.app.deps.phone!.lines.recent(user, 3600_000).some((c) => c.phoneCallId === call.id && !c.answered);
    await waitUntil('missedOn(0) && missedOn(1)', () => (missedOn(0) && missedOn(1) ? true : undefined), 20_000);
    await Promise.all(apps.map(({ app }) => app.idle()));
    const dms = api.callsTo('chat.postMessage').filter((c) => c.body.channel === 'UA' && JSON.stringify(c.body.blocks ?? '').includes(`missed.${call.id}`));
    expect(dms).toHaveLength(1);
    expect(JSON.stringify(dms[0]!.body.blocks)).toContain('*Two Replicas* `5550555`');
  });

  it('a Slack Call placed on one replica is retitled once and ended once, though both read its line', async () => {
    const res = await slashCommand(apps[0]!.base, SIGNING_SECRET, { text: 'dial 5550777', user_id: 'UA', channel_id: 'C1' });
    expect(res.status).toBe(200);
    const add = await api.waitFor('calls.add', (c) => c.body.external_unique_id !== undefined, 10_000);
    const callId = String(add.body.external_unique_id);
    await api.waitFor('calls.update', (c) => c.body.title === 'Call with 5550777', 10_000);
    // Both replicas have read the answered call (each reads the line on its own).
    const liveOn = (i: number) => (apps[i]!.app.deps.phone!.lines.live(user) ?? []).some((c) => c.id === callId && c.state === 'on call');
    await waitUntil('liveOn(0) && liveOn(1)', () => (liveOn(0) && liveOn(1) ? true : undefined), 20_000);
    await fetch(`${sandbox.url}/_sandbox/calls/${callId}/hangup`, { method: 'POST' });
    await api.waitFor('calls.end', undefined, 10_000);
    const goneOn = (i: number) => !(apps[i]!.app.deps.phone!.lines.live(user) ?? []).some((c) => c.id === callId);
    await waitUntil('goneOn(0) && goneOn(1)', () => (goneOn(0) && goneOn(1) ? true : undefined), 20_000);
    await Promise.all(apps.map(({ app }) => app.idle()));
    expect(api.callsTo('calls.update').filter((c) => c.body.title === 'Call with 5550777')).toHaveLength(1);
    expect(api.callsTo('calls.end')).toHaveLength(1);
  });
});
