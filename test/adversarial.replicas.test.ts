/**
 * Two replicas of the app on one PostgreSQL store (as in production behind a
 * load balancer): the same press, or a Slack retry of it, delivered to both
 * runs once. Each test uses its own random schema, dropped afterwards. Skipped,
 * with the reason printed, when no PostgreSQL server answers (the store
 * contract test already fails then if TEST_DATABASE_URL was set explicitly).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, SEED_IDS, type Sandbox } from '../src/sandbox/server.js';
import type { SlackApp } from '../src/slack/app.js';
import { PostgresStore, TokenCipher } from '../src/store/index.js';
import { UapiHttp } from '../src/uapi/http.js';
import { VoipnowOAuth } from '../src/uapi/oauth.js';
import { startSlackApi, type SlackApi } from './helpers/slack-api.js';
import { startReplicaApp } from './helpers/replica-app.js';
import { SIGNING_SECRET } from './helpers/stack.js';
import { waitUntil } from './helpers/wait.js';
import { blockAction, blockActionPayload, slashCommand, viewSubmission, viewSubmissionPayload } from './helpers/signed.js';

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CALL = SEED_IDS.seedCall;
type Block = { elements?: Array<{ action_id?: string; value?: string }> };

async function reachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const unreachable = await reachable();
if (unreachable) console.warn(`adversarial.replicas: PostgreSQL at ${new URL(url).host} is unreachable (${unreachable}); skipped`);

describe.skipIf(unreachable !== undefined)('two replicas on one PostgreSQL store', () => {
  const schema = `callops_replicas_${randomBytes(6).toString('hex')}`;
  let sandbox: Sandbox;
  let api: SlackApi;
  let store: PostgresStore;
  let http: UapiHttp;
  const apps: Array<{ app: SlackApp; base: string }> = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ pickupDelayMs: 30 });
    api = await startSlackApi();
    store = new PostgresStore({ connectionString: url, cipher: TokenCipher.fromKey(randomBytes(32).toString('hex')), schema });
    http = new UapiHttp({ baseUrl: sandbox.url, timeoutMs: 3000 });
    const oauth = new VoipnowOAuth(http, { clientId: 'callops-demo', clientSecret: 'callops-demo-secret' });
    for (let i = 0; i < 2; i++) {
      apps.push(await startReplicaApp({ api, store, http, oauth }, { followUp: { delaysMs: [100], maxMs: 5000 } }));
    }
    const t = sandbox.issueToken('12');
    await apps[0]!.app.deps.accounts.link(
      { teamId: 'T1', userId: 'UA' },
      { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: new Date(Date.now() + t.expiresIn * 1000) },
      { extension: '0003*210' },
    );
  });

  afterAll(async () => {
    for (const { app } of apps) await app.stop().catch(() => undefined);
    http?.close();
    await store?.close();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
    await api?.close();
    await sandbox?.close();
  });

  const idle = () => Promise.all(apps.map(({ app }) => app.idle()));
  const puts = () => sandbox.requests.filter((r) => r.method === 'PUT' && r.path.startsWith('/uapi/'));

  it('a press and its retries, delivered to both replicas at once, hold the call once', async () => {
    let ts = '';
    const off = api.respondWith('chat.postMessage', (_c, d) => {
      const a = d();
      ts = String(a.ts);
      return a;
    });
    await slashCommand(apps[0]!.base, SIGNING_SECRET, { user_id: 'UA', text: `post 0003*210 ${CALL}`, response_url: api.responseUrl('/l') });
    const posted = await api.waitFor('chat.postMessage');
    off();
    await idle();
    const blocks = posted.body.blocks as Block[];
    const value = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.hold.01')?.value;
    expect(value).toBeDefined();
    sandbox.requests.length = 0;
    const payload = blockActionPayload({ user: 'UA', messageTs: ts, messageBlocks: blocks, actionId: 'call.hold.01', value: value!, responseUrl: api.responseUrl('/p') });
    const retry = { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } };
    const answers = await Promise.all([...apps.map(({ base }) => blockAction(base, SIGNING_SECRET, payload)), ...apps.map(({ base }) => blockAction(base, SIGNING_SECRET, payload, retry))]);
    await idle();
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(puts()).toHaveLength(1);
    expect(sandbox.world.calls.get(CALL)!.views[0]!.holder).toBe(1);
  });
  it('a modal opened through one replica is submitted through the other, and updates the card it was opened from', async () => {
    let ts = '';
    const off = api.respondWith('chat.postMessage', (_c, d) => {
      const a = d();
      ts = String(a.ts);
      return a;
    });
    const before = api.callsTo('chat.postMessage').length;
    await slashCommand(apps[0]!.base, SIGNING_SECRET, { user_id: 'UA', text: `post 0003*210 ${CALL}`, response_url: api.responseUrl('/m') });
    const posted = await waitUntil('the card', () => api.callsTo('chat.postMessage')[before]);
    off();
    await idle();
    const blocks = posted.body.blocks as Block[];
    const value = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.transfer.01')?.value;
    expect(value).toBeDefined();
    const opens = api.callsTo('views.open').length;
    await blockAction(
      apps[0]!.base,
      SIGNING_SECRET,
      blockActionPayload({ user: 'UA', messageTs: ts, messageBlocks: blocks, actionId: 'call.transfer.01', value: value!, responseUrl: api.responseUrl('/w') }),
    );
    await idle();
    const opened = api.callsTo('views.open').slice(opens);
    expect(opened).toHaveLength(1);
    const privateMetadata = (opened[0]!.body.view as { private_metadata: string }).private_metadata;
    sandbox.requests.length = 0;
    const updates = api.callsTo('chat.update').length;
    const res = await viewSubmission(
      apps[1]!.base,
      SIGNING_SECRET,
      viewSubmissionPayload({ user: 'UA', callbackId: 'call.modal', privateMetadata, values: { to: { value: { type: 'plain_text_input', value: '0003*024' } } } as never }),
    );
    expect(res.status).toBe(200);
    await idle();
    expect(puts()).toHaveLength(1);
    // The card the button was pressed on (known only through the first replica's request) is updated by the second.
    const onCard = api
      .callsTo('chat.update')
      .slice(updates)
      .filter((c) => c.body.ts === ts);
    // The "working…" note is drawn on the blocks the modal's card had: only the stored place knows them.
    expect(onCard.map((c) => JSON.stringify(c.body.blocks)).join('\n')).toMatch(/Transfer, working…/);
    expect(api.calls.filter((c) => c.method === 'chat.postEphemeral' || c.method === 'conversations.open')).toHaveLength(0);
  });
});
