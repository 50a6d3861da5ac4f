/**
 * A ring follow-up is a job in PostgreSQL (pg-boss), not a timer in the process that started it:
 * a whisper rings the supervisor's phone, the replica that ran it stops before the phone answers,
 * and the other replica's follow-up updates the card once it answers. Two app instances, each
 * with its own pg-boss connection, on one PostgreSQL schema. Skipped, with the reason printed,
 * when no PostgreSQL answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, SEED_IDS, type Sandbox } from '../src/sandbox/server.js';
import type { SlackApp } from '../src/slack/app.js';
import { PostgresStore, TokenCipher } from '../src/store/index.js';
import { UapiHttp } from '../src/uapi/http.js';
import { VoipnowOAuth } from '../src/uapi/oauth.js';
import { openCoordination, type Coordination } from '../src/coordination/index.js';
import { startSlackApi, type SlackApi } from './helpers/slack-api.js';
import { startReplicaApp } from './helpers/replica-app.js';
import { SIGNING_SECRET } from './helpers/stack.js';
import { blockAction, blockActionPayload, slashCommand, viewSubmission, viewSubmissionPayload } from './helpers/signed.js';
import { freshSchema, pgAdmin, pgUnavailable, pgUrl } from './helpers/pg.js';
import { waitUntil } from './helpers/wait.js';
import { randomBytes } from 'node:crypto';

if (!pgUrl) console.warn(`replicas.followup: no PostgreSQL (${pgUnavailable}); skipped`);

const CALL = SEED_IDS.seedCall;
type Block = { block_id?: string; elements?: Array<{ action_id?: string; value?: string }> };

describe.skipIf(!pgUrl)('a ring follow-up outlives the replica that started it', () => {
  const schema = freshSchema('callops_follow');
  let sandbox: Sandbox;
  let api: SlackApi;
  let store: PostgresStore;
  let http: UapiHttp;
  const apps: Array<{ app: SlackApp; base: string; coordination: Coordination; stopped: boolean }> = [];

  beforeAll(async () => {
    // The whispering supervisor's phone rings for 4 s before it answers.
    sandbox = await startSandbox({ pickupDelayMs: 4000 });
    api = await startSlackApi();
    store = new PostgresStore({ connectionString: pgUrl!, cipher: TokenCipher.fromKey(randomBytes(32).toString('hex')), schema });
    http = new UapiHttp({ baseUrl: sandbox.url, timeoutMs: 3000 });
    const oauth = new VoipnowOAuth(http, { clientId: 'callops-demo', clientSecret: 'callops-demo-secret' });
    for (let i = 0; i < 2; i++) {
      const coordination = await openCoordination({ databaseUrl: pgUrl!, schema });
      const replica = await startReplicaApp(
        { api, store, http, oauth },
        { followUp: { delaysMs: [300], maxMs: 20_000 }, replicas: { queue: coordination.queue, leases: coordination.leases, ttlMs: 3000 } },
      );
      apps.push({ ...replica, coordination, stopped: false });
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
      if (!a.stopped) await a.app.stop().catch(() => undefined);
      await a.coordination.close().catch(() => undefined);
    }
    http?.close();
    await store?.close();
    await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`).catch(() => undefined);
    await api?.close();
    await sandbox?.close();
  });

  it('the replica that whispered stops while the phone rings; the other updates the card once the phone answers', async () => {
    const [a] = apps;
    let ts = '';
    api.respondWith('chat.postMessage', (_c, d) => {
      const answer = d();
      ts = String(answer.ts);
      return answer;
    });
    await slashCommand(a!.base, SIGNING_SECRET, { user_id: 'UA', text: `post 0003*210 ${CALL}`, response_url: api.responseUrl('/l') });
    const posted = await waitUntil('the card', () => api.callsTo('chat.postMessage')[0]);
    await a!.app.idle();
    const blocks = posted.body.blocks as Block[];
    const value = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.whisper.01')?.value;
    expect(value).toBeDefined();
    await blockAction(
      a!.base,
      SIGNING_SECRET,
      blockActionPayload({ user: 'UA', messageTs: ts, messageBlocks: blocks, actionId: 'call.whisper.01', value: value!, responseUrl: api.responseUrl('/w') }),
    );
    await a!.app.idle();
    const privateMetadata = (api.callsTo('views.open')[0]!.body.view as { private_metadata: string }).private_metadata;
    const whispered = Date.now();
    await viewSubmission(
      a!.base,
      SIGNING_SECRET,
      viewSubmissionPayload({ user: 'UA', callbackId: 'call.modal', privateMetadata, values: { to: { value: { type: 'plain_text_input', value: '0003*024' } } } as never }),
    );
    await a!.app.idle();
    expect(sandbox.requests.filter((r) => r.method === 'PUT' && r.path.startsWith('/uapi/'))).toHaveLength(1);
    // The card does not show the new leg yet: the phone rings. The replica that acted goes away now.
    expect(JSON.stringify(api.callsTo('chat.update').at(-1)?.body.blocks)).not.toContain(`${CALL}.view.02`);
    await a!.app.stop();
    await a!.coordination.close();
    a!.stopped = true;
    const stopped = Date.now();
    expect(stopped - whispered).toBeLessThan(4000);
    // The follow-up's next step is a job in PostgreSQL: the other replica takes it and updates the card once the
    // phone answers. A channel card shows the call's parties only, so the whisper leg itself is not on it.
    const answered = await waitUntil('the answered whisper leg in the PBX', () => sandbox.changes.since(0).find((c) => c.callId === CALL && c.detail.includes('whisper')), {
      timeoutMs: 20_000,
    });
    const shown = await waitUntil(
      'the card updated after the whisper was answered, after the first replica stopped',
      () => api.callsTo('chat.update').find((c) => c.at > stopped && c.at >= answered.at && c.body.ts === ts),
      { timeoutMs: 20_000 },
    );
    expect(JSON.stringify(shown.body.blocks)).not.toContain(`${CALL}.view.02`);
    expect(shown.body.channel).toBe(posted.body.channel);
  }, 60_000);
});
