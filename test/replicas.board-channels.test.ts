import { beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import type { PostgresStore } from '../src/store/index.js';
import type { SlackApi } from './helpers/slack-api.js';
import { replicaApps } from './helpers/replica-apps.js';
import { SIGNING_SECRET } from './helpers/stack.js';
import { eventCallback, slashCommand } from './helpers/signed.js';
import { TEST_BOT_USER_ID } from './helpers/payloads.js';
import { pgUnavailable, pgUrl } from './helpers/pg.js';
import { waitUntil } from './helpers/wait.js';

if (!pgUrl) console.warn(`replicas.board-channels: no PostgreSQL (${pgUnavailable}); skipped`);

const CH = 'CREPGONE';

describe.skipIf(!pgUrl)('board channels and owners across replicas', () => {
  const r = replicaApps({
    schemaPrefix: 'callops_boardch',
    coordinated: true,
    options: (coordination) => ({
      replicas: { queue: coordination!.queue, leases: coordination!.leases, ttlMs: 1500 },
      board: { timing: { liveMs: 150, idleMs: 400, maxBackoffMs: 400 }, budgets: { postsPerSecond: 50, postBurst: 20, updatesPerMinute: 3000, updateBurst: 20 } },
    }),
    // PhoneCallEvents point at this replica (a reachable PUBLIC_URL), so the unlink has events to remove.
    started: (replica) => {
      replica.app.board.board.eventsBase = replica.base;
    },
  });
  const apps = r.apps;
  let sandbox: Sandbox;
  let api: SlackApi;
  let store: PostgresStore;
  beforeAll(() => {
    ({ sandbox, api, store } = r);
  });

  const shows = (callId: string) => api.messages(CH).some((m) => JSON.stringify(m.blocks ?? []).includes(`${callId}.head`));
  const inbound = async (from: string) => {
    const res = await fetch(`${sandbox.url}/_sandbox/calls`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ to: '0003*210', from }) });
    return String(((await res.json()) as { id: string }).id);
  };

  it('pauses on the holder, resumes from an invite the other replica receives; an unlink there ends the watch', async () => {
    const holder = await waitUntil('a board holder', () => apps.find((a) => a.app.board.running), { timeoutMs: 20_000 });
    const other = apps.find((a) => a !== holder)!;
    await slashCommand(other.base, SIGNING_SECRET, { user_id: 'UA', text: 'watch 0003*210', channel_id: CH, response_url: api.responseUrl('/cmd/UA') });
    await api.waitFor('response_url', (c) => /Watching `0003\*210`/.test(String(c.body.text)), 15_000);

    const undo = [
      api.respondWith('chat.postMessage', (c, d) => (c.body.channel === CH ? { ok: false, error: 'channel_not_found' } : d())),
      api.respondWith('chat.update', (c, d) => (c.body.channel === CH ? { ok: false, error: 'channel_not_found' } : d())),
    ];
    const refused = await inbound('5550301');
    await api.waitFor('chat.postMessage', (c) => c.body.channel === 'UA' && /paused/.test(String(c.body.text)), 15_000);
    await waitUntil('the pause stored', async () => (await store.listBoardChannelPauses()).length === 1);

    for (const u of undo) u();
    await eventCallback(other.base, SIGNING_SECRET, { type: 'member_joined_channel', user: TEST_BOT_USER_ID, channel: CH, channel_type: 'C', team: 'T1' });
    await waitUntil('the refused call drawn after the invite', () => shows(refused), { timeoutMs: 15_000 });
    expect(await store.listBoardChannelPauses()).toEqual([]);
    expect(api.callsTo('chat.postMessage').filter((c) => c.body.channel === 'UA')).toHaveLength(1);

    // Unlinking through the replica that does not run the board: events removed as the owner, the watch ends, the channel is told.
    expect(sandbox.world.events.filter((e) => e.note === `callops board T1/${CH}`)).not.toEqual([]);
    await slashCommand(other.base, SIGNING_SECRET, { user_id: 'UA', text: 'unlink', channel_id: CH, response_url: api.responseUrl('/cmd/UA') });
    expect(sandbox.world.events.filter((e) => e.note === `callops board T1/${CH}`)).toEqual([]);
    expect(await store.listWatches()).toEqual([]);
    await waitUntil('the stopped notice', () => api.messages(CH).some((m) => /Stopped watching `0003\*210`/.test(m.text)), { timeoutMs: 15_000 });
    // The holder takes the watch's end in on its sync: the card becomes final.
    await waitUntil('the cards final', () => api.messages(CH).every((m) => !JSON.stringify(m.blocks ?? []).includes('"type":"actions"')), { timeoutMs: 15_000 });
  });
});
