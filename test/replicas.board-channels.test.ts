/**
 * Two replicas on one PostgreSQL store, the board running on whichever holds the lease:
 * a channel that refuses the bot pauses on the holder, and the invite delivered to the
 * other replica resumes it (through the store and the holder's sync); an unlink through
 * the other replica ends the owner's watch everywhere, its events removed with their token.
 * Skipped, with the reason printed, when no PostgreSQL answers.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import type { SlackApp } from '../src/slack/app.js';
import { PostgresStore, TokenCipher } from '../src/store/index.js';
import { UapiHttp } from '../src/uapi/http.js';
import { VoipnowOAuth } from '../src/uapi/oauth.js';
import { openCoordination, type Coordination } from '../src/coordination/index.js';
import { startSlackApi, type SlackApi } from './helpers/slack-api.js';
import { startReplicaApp } from './helpers/replica-app.js';
import { SIGNING_SECRET } from './helpers/stack.js';
import { eventCallback, slashCommand } from './helpers/signed.js';
import { TEST_BOT_USER_ID } from './helpers/payloads.js';
import { freshSchema, pgAdmin, pgUnavailable, pgUrl } from './helpers/pg.js';
import { waitUntil } from './helpers/wait.js';

if (!pgUrl) console.warn(`replicas.board-channels: no PostgreSQL (${pgUnavailable}); skipped`);

const CH = 'CREPGONE';

describe.skipIf(!pgUrl)('board channels and owners across replicas', () => {
  const schema = freshSchema('callops_boardch');
  let sandbox: Sandbox;
  let api: SlackApi;
  let store: PostgresStore;
  let http: UapiHttp;
  const apps: Array<{ app: SlackApp; base: string; coordination: Coordination }> = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ pickupDelayMs: 30 });
    api = await startSlackApi();
    store = new PostgresStore({ connectionString: pgUrl!, cipher: TokenCipher.fromKey(randomBytes(32).toString('hex')), schema });
    http = new UapiHttp({ baseUrl: sandbox.url, timeoutMs: 3000 });
    const oauth = new VoipnowOAuth(http, { clientId: 'callops-demo', clientSecret: 'callops-demo-secret' });
    for (let i = 0; i < 2; i++) {
      const coordination = await openCoordination({ databaseUrl: pgUrl!, schema });
      const replica = await startReplicaApp(
        { api, store, http, oauth },
        {
          replicas: { queue: coordination.queue, leases: coordination.leases, ttlMs: 1500 },
          board: { timing: { liveMs: 150, idleMs: 400, maxBackoffMs: 400 }, budgets: { postsPerSecond: 50, postBurst: 20, updatesPerMinute: 3000, updateBurst: 20 } },
        },
      );
      // PhoneCallEvents point at this replica (a reachable PUBLIC_URL), so the unlink has events to remove.
      replica.app.board.board.eventsBase = replica.base;
      apps.push({ ...replica, coordination });
    }
    const t = sandbox.issueToken('12');
    await apps[0]!.app.deps.accounts.link(
      { teamId: 'T1', userId: 'UA' },
      { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: new Date(Date.now() + t.expiresIn * 1000) },
      { extension: '0003*210' },
    );
  }, 60_000);

  afterAll(async () => {
    for (const a of apps) {
      await a.app.stop().catch(() => undefined);
      await a.coordination.close().catch(() => undefined);
    }
    http?.close();
    await store?.close();
    await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`).catch(() => undefined);
    await api?.close();
    await sandbox?.close();
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
