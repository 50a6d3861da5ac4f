/**
 * Two replicas on one PostgreSQL store both read the phone user's extension and both see the
 * unanswered call end: the user still gets one missed-call DM (the store claim keyed by the PBX
 * call id), and a Slack Call placed on one replica is retitled, joined and ended once though both
 * read the line. Skipped, with the reason printed, when no PostgreSQL server answers.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import type { SlackApp } from '../src/slack/app.js';
import { PostgresStore, TokenCipher } from '../src/store/index.js';
import { UapiHttp } from '../src/uapi/http.js';
import { VoipnowOAuth } from '../src/uapi/oauth.js';
import { startSlackApi, type SlackApi } from './helpers/slack-api.js';
import { slashCommand } from './helpers/signed.js';
import { SIGNING_SECRET } from './helpers/stack.js';
import { startReplicaApp } from './helpers/replica-app.js';
import { waitUntil } from './helpers/wait.js';

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

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
if (unreachable) console.warn(`phone.replicas: PostgreSQL at ${new URL(url).host} is unreachable (${unreachable}); skipped`);

describe.skipIf(unreachable !== undefined)('missed calls with two replicas', () => {
  const schema = `callops_phone_${randomBytes(6).toString('hex')}`;
  let sandbox: Sandbox;
  let api: SlackApi;
  let store: PostgresStore;
  let http: UapiHttp;
  const apps: Array<{ app: SlackApp; base: string }> = [];
  const user = { teamId: 'T1', userId: 'UA' };

  beforeAll(async () => {
    sandbox = await startSandbox({ pickupDelayMs: 30 });
    api = await startSlackApi();
    store = new PostgresStore({ connectionString: url, cipher: TokenCipher.fromKey(randomBytes(32).toString('hex')), schema });
    http = new UapiHttp({ baseUrl: sandbox.url, timeoutMs: 3000 });
    const oauth = new VoipnowOAuth(http, { clientId: 'callops-demo', clientSecret: 'callops-demo-secret' });
    const timing = { liveMs: 40, idleMs: 80, maxBackoffMs: 400, lingerMs: 0, eventGapMs: 0 };
    for (let i = 0; i < 2; i++) apps.push(await startReplicaApp({ api, store, http, oauth }, { board: { timing } }));
    const t = sandbox.issueToken('12');
    await apps[0]!.app.deps.accounts.link(
      user,
      { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: new Date(Date.now() + t.expiresIn * 1000) },
      { extension: '0003*210' },
    );
    // The other replica takes the new link in on its next sync (every minute); now, here.
    apps[1]!.app.deps.phone!.changed();
  });

  afterAll(async () => {
    for (const { app } of apps) await app.stop().catch(() => undefined);
    http?.close();
    await store?.close();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`);
    await admin.end();
    await api?.close();
    await sandbox?.close();
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
