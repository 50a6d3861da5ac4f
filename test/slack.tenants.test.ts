/**
 * One VoipNow server per workspace (distribution mode), through the public surface: an admin
 * connects it with `/call connect` (checked against the PBX before it is saved), a workspace
 * without one is told so and nothing reaches any PBX, and two workspaces on two sandbox PBXs
 * link, watch and act on their own calls only: signed Slack requests in, each sandbox's UAPI
 * requests and the Slack messages out.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../src/sandbox/tls.js';
import { BOT_SCOPES } from '../src/slack/bot-scopes.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { SIGNING_SECRET, startStack, type Stack } from './helpers/stack.js';
import { slashCommand, viewSubmission } from './helpers/signed.js';
import type { SlackHttpResult } from './helpers/signed.js';
import { viewSubmissionPayload } from './helpers/payloads.js';
import { waitUntil } from './helpers/wait.js';
import type { RecordedCall } from './helpers/slack-api.js';

const B_APP = { clientId: 'tenant-b-app', clientSecret: 'tenant-b-secret' };

let s: Stack;
/** The second workspace's PBX, with an app of its own. */
let pbxB: Sandbox;

beforeEach(async () => {
  s = await startStack({ distribution: true, boardEvents: true, board: { timing: { liveMs: 300, idleMs: 5000, maxBackoffMs: 2000 } } });
  pbxB = await startSandbox({ pickupDelayMs: 30, ...B_APP });
  // "code-TA" installs TA, installed by U-installer-TA.
  s.api.respondWith('oauth.v2.access', (call) => {
    const team = String(call.body.code).replace(/^code-/, '');
    return {
      ok: true,
      app_id: 'A1',
      authed_user: { id: `U-installer-${team}` },
      scope: BOT_SCOPES.join(','),
      token_type: 'bot',
      access_token: `xoxb-${team}-token`,
      bot_user_id: `UBOT-${team}`,
      team: { id: team, name: `Team ${team}` },
      enterprise: null,
      is_enterprise_install: false,
    };
  });
  s.api.respondWith('auth.test', (call, defaults) => {
    const team = /^xoxb-(\w+)-token$/.exec(call.token ?? '')?.[1];
    return team ? { ...defaults(), team_id: team, user_id: `UBOT-${team}`, bot_id: `BBOT-${team}` } : { ok: false, error: 'invalid_auth' };
  });
  // Slack's own roles: UADM-* are workspace admins, everyone else is not.
  s.api.respondWith('users.info', (call, defaults) => {
    const base = defaults() as { user: Record<string, unknown> };
    const id = String(call.body.user);
    return { ...base, user: { ...base.user, id, is_admin: id.startsWith('UADM') } };
  });
});
afterEach(async () => {
  await s?.close();
  await pbxB?.close();
});

async function install(team: string): Promise<void> {
  const start = await fetch(`${s.base}/slack/install`, { redirect: 'manual' });
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0]!;
  const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
  const done = await fetch(`${s.base}/slack/oauth_redirect?code=code-${team}&state=${encodeURIComponent(state)}`, { headers: { Cookie: cookie } });
  expect(done.status).toBe(200);
}

const command = (team: string, user: string, text: string, channel = `C-${team}`) =>
  slashCommand(s.base, SIGNING_SECRET, { team_id: team, user_id: user, channel_id: channel, text, response_url: s.api.responseUrl(`/cmd/${team}/${user}/${Math.random()}`) });

/** What a command was told privately: its acknowledgement, else what came on its response URL. */
async function told(res: SlackHttpResult, team: string, user: string, after: number): Promise<string> {
  const ackText = res.json ? JSON.stringify(res.json) : '';
  if (ackText.length > 2) return ackText;
  const reply = await s.api.waitFor('response_url', (c) => c.seq > after && c.path.includes(`/cmd/${team}/${user}/`));
  return JSON.stringify(reply.body);
}

const mark = () => s.api.calls.at(-1)?.seq ?? 0;
const withToken = (token: string, after = 0): RecordedCall[] => s.api.calls.filter((c) => c.token === token && c.seq > after);

/** The admin fills the connect modal and submits it; resolves with the modal as it ends up. */
async function submitConnect(team: string, user: string, fields: { url: string; clientId: string; clientSecret: string; ca?: string }) {
  const before = mark();
  const values = {
    url: { url: { type: 'plain_text_input', value: fields.url } },
    client_id: { client_id: { type: 'plain_text_input', value: fields.clientId } },
    client_secret: { client_secret: { type: 'plain_text_input', value: fields.clientSecret } },
    ca_pem: { ca_pem: { type: 'plain_text_input', value: fields.ca ?? null } },
  };
  const res = await viewSubmission(s.base, SIGNING_SECRET, viewSubmissionPayload({ user: { id: user, team_id: team }, team, callbackId: 'voipnow.connect', values, viewId: `V-${team}` }));
  return { res, outcome: () => s.api.waitFor('views.update', (c) => c.seq > before && c.body.view_id === `V-${team}`, 8000) };
}

/** A user links through callops' pages and the PBX's own consent page, as a browser would. */
async function linkThroughConsent(team: string, user: string, pbx: Sandbox, voipnowUser: string, extension: string): Promise<URL> {
  const res = await command(team, user, `link ${extension}`);
  const blocks = (res.json as { blocks: { elements?: { action_id?: string; url?: string }[] }[] }).blocks;
  const start = new URL(blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'link.open')!.url!);
  const page = await (await fetch(new URL(start.pathname + start.search, s.base))).text();
  const authorize = new URL([...page.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&#38;/g, '&')).find((h) => h.includes('/oauth/authorize.php'))!);
  const form = new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), decision: 'permit', user_id: voipnowUser });
  const consent = await fetch(new URL('/oauth/authorize.php', pbx.url), { method: 'POST', body: form, redirect: 'manual' });
  const back = new URL(consent.headers.get('location')!);
  expect((await fetch(new URL(back.pathname + back.search, s.base))).status).toBe(200);
  return authorize;
}

describe('a workspace without a VoipNow server', () => {
  it('is told privately that an admin must connect VoipNow first, and nothing reaches any PBX', async () => {
    await install('TN');
    const pbxRequests = [s.sandbox.requests.length, pbxB.requests.length];
    const before = mark();
    const list = await command('TN', 'UN', 'list 0003*210');
    const listed = await told(list, 'TN', 'UN', before);
    expect(listed).toMatch(/not connected to a VoipNow server/);
    expect(listed).toMatch(/\/call connect/);
    const link = await command('TN', 'UN', 'link');
    expect(JSON.stringify(link.json)).toMatch(/admin .*must connect it first/);
    expect(JSON.stringify(link.json)).not.toMatch(/link\.open/);
    const watch = await command('TN', 'UN', 'watch 0003*210');
    expect(await told(watch, 'TN', 'UN', before)).toMatch(/not connected to a VoipNow server/);
    await s.slack.idle();
    expect([s.sandbox.requests.length, pbxB.requests.length]).toEqual(pbxRequests);
    expect(await s.store.listWatches()).toEqual([]);
  });
});

describe('/call connect', () => {
  it('only Slack admins and the installer may open it', async () => {
    await install('TA');
    const before = mark();
    const refused = await command('TA', 'U-plain', 'connect');
    expect(await told(refused, 'TA', 'U-plain', before)).toMatch(/Only a Slack workspace admin or owner, or whoever installed callops/);
    expect(s.api.callsTo('views.open')).toHaveLength(0);

    await command('TA', 'UADM-A', 'connect');
    const opened = await s.api.waitFor('views.open', (c) => c.token === 'xoxb-TA-token');
    expect((opened.body.view as { callback_id: string }).callback_id).toBe('voipnow.connect');

    await command('TA', 'U-installer-TA', 'connect');
    await waitUntil('the installer to get the form', () => s.api.callsTo('views.open').length === 2);
  });

  it('checks the server before saving, says what is wrong, stores the secret encrypted', async () => {
    await install('TB');
    // Not a web address: the field itself says what is allowed.
    const bad = await submitConnect('TB', 'UADM-B', { url: 'voipnow', ...B_APP });
    expect(bad.res.json).toMatchObject({ response_action: 'errors', errors: { url: expect.stringMatching(/https:\/\/voipnow\.example\.com/) } });
    const badCa = await submitConnect('TB', 'UADM-B', { url: pbxB.url, ...B_APP, ca: 'not a certificate' });
    expect(badCa.res.json).toMatchObject({ response_action: 'errors', errors: { ca_pem: expect.stringMatching(/BEGIN CERTIFICATE/) } });

    const spaced = await submitConnect('TB', 'UADM-B', { url: pbxB.url, clientId: 'two words', clientSecret: 'x' });
    expect(spaced.res.json).toMatchObject({ response_action: 'errors', errors: { client_id: expect.stringMatching(/without spaces/) } });
    const noSecret = await submitConnect('TB', 'UADM-B', { url: pbxB.url, clientId: B_APP.clientId, clientSecret: '' });
    expect(noSecret.res.json).toMatchObject({ response_action: 'errors', errors: { client_secret: expect.stringMatching(/client secret/) } });
    // Nobody answers there: said in words, nothing saved.
    const unreachable = await submitConnect('TB', 'UADM-B', { url: 'http://127.0.0.1:1', ...B_APP });
    expect(JSON.stringify((await unreachable.outcome()).body.view)).toMatch(/could not reach http:\/\/127\.0\.0\.1:1/);

    // A wrong secret: the PBX refuses the app, nothing is saved.
    const wrong = await submitConnect('TB', 'UADM-B', { url: pbxB.url, clientId: B_APP.clientId, clientSecret: 'not-the-secret' });
    expect(wrong.res.json).toMatchObject({ response_action: 'update' });
    expect(JSON.stringify((await wrong.outcome()).body.view)).toMatch(/does not accept this client id and secret/);
    expect(await s.slack.deps.accounts.tenants.settings('TB')).toBeUndefined();

    // The right app: saved, and the users of TB may link.
    const right = await submitConnect('TB', 'UADM-B', { url: `${pbxB.url}/`, ...B_APP });
    expect(JSON.stringify((await right.outcome()).body.view)).toMatch(/Connected/);
    const saved = await s.slack.deps.accounts.tenants.settings('TB');
    expect(saved).toMatchObject({ url: pbxB.url, clientId: B_APP.clientId, clientSecret: B_APP.clientSecret, setBy: 'UADM-B' });
    expect(saved?.lastOkAt).toBeInstanceOf(Date);
    const raw = await (s.store as unknown as { sqlRunner(): import('../src/store/sql-runner.js').SqlRunner })
      .sqlRunner()
      .query('SELECT client_secret FROM voipnow_tenants WHERE team_id = ?', ['TB']);
    expect(String(raw.rows[0]?.client_secret)).not.toContain(B_APP.clientSecret);
    // The form shown again never carries the secret back.
    await command('TB', 'UADM-B', 'connect');
    const reopened = await s.api.waitFor('views.open', (c) => c.token === 'xoxb-TB-token');
    expect(JSON.stringify(reopened.body.view)).toContain(pbxB.url);
    expect(JSON.stringify(reopened.body.view)).not.toContain(B_APP.clientSecret);
    // It shows what is set and when it was last seen working.
    expect(JSON.stringify(reopened.body.view)).toMatch(/Last seen working.*<!date\^\d+\^/);
    expect(JSON.stringify(reopened.body.view)).toMatch(/set \(stored encrypted\)/);
    expect(JSON.stringify(reopened.body.view)).toMatch(/Set by.*UADM-B/);
    expect(JSON.stringify(reopened.body.view)).toContain('http://callops.test/oauth/voipnow/callback');
    // A non-admin's submission is refused even with a valid form.
    const forged = await submitConnect('TB', 'U-plain', { url: s.sandbox.url, clientId: 'callops-demo', clientSecret: 'callops-demo-secret' });
    expect(JSON.stringify((await forged.outcome()).body.view)).toMatch(/Only a Slack workspace admin/);
    expect((await s.slack.deps.accounts.tenants.settings('TB'))?.url).toBe(pbxB.url);
  });
});

describe('two workspaces on two VoipNow servers', () => {
  it('each links, watches and acts on its own calls only', async () => {
    await install('TA');
    await install('TB');
    expect(JSON.stringify((await (await submitConnect('TA', 'UADM-A', { url: s.sandbox.url, clientId: 'callops-demo', clientSecret: 'callops-demo-secret' })).outcome()).body.view)).toMatch(
      /Connected/,
    );
    expect(JSON.stringify((await (await submitConnect('TB', 'UADM-B', { url: pbxB.url, ...B_APP })).outcome()).body.view)).toMatch(/Connected/);

    // Each user's consent goes to their own workspace's PBX, with that workspace's app.
    const consentA = await linkThroughConsent('TA', 'UA', s.sandbox, '12', '0003*210');
    const consentB = await linkThroughConsent('TB', 'UB', pbxB, '12', '0003*210');
    expect([consentA.origin, consentA.searchParams.get('client_id')]).toEqual([new URL(s.sandbox.url).origin, 'callops-demo']);
    expect([consentB.origin, consentB.searchParams.get('client_id')]).toEqual([new URL(pbxB.url).origin, B_APP.clientId]);
    const tokenOf = async (team: string, user: string) => (await s.store.getLinkedAccount(team, user))?.accessToken;
    // Each code was exchanged at the PBX that issued it.
    expect(s.sandbox.requests.filter((r) => r.path === '/oauth/token.php' && r.status === 200)).toHaveLength(1);
    expect(pbxB.requests.filter((r) => r.path === '/oauth/token.php' && r.status === 200)).toHaveLength(1);
    expect(await tokenOf('TA', 'UA')).toBeTruthy();
    expect(await tokenOf('TB', 'UB')).toBeTruthy();

    // Both watch the same extension number, each on its own PBX.
    for (const team of ['TA', 'TB']) await command(team, `U${team.slice(1)}`, 'watch 0003*210');
    await waitUntil(
      'both boards to register their events',
      () => s.sandbox.world.events.some((e) => e.note === 'callops board TA/C-TA') && pbxB.world.events.some((e) => e.note === 'callops board TB/C-TB'),
    );
    expect(s.sandbox.world.events.filter((e) => e.note?.includes('TB'))).toEqual([]);
    expect(pbxB.world.events.filter((e) => e.note?.includes('TA'))).toEqual([]);

    // A call rings on B's PBX only: B's channel gets its card with B's token, A's channel never sees it.
    const started = mark();
    const rung = await fetch(`${pbxB.url}/_sandbox/calls`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: '0003*210', from: '5550177', autoAnswer: true }),
    });
    expect(rung.status).toBe(201);
    const callB = (await rung.json()) as { id: string };
    const cardB = await s.api.waitFor('chat.postMessage', (c) => c.seq > started && c.body.channel === 'C-TB' && JSON.stringify(c.body).includes('5550177'), 8000);
    expect(cardB.token).toBe('xoxb-TB-token');

    // A's user acts on B's call: A's PBX is asked (and does not know it), B's PBX hears nothing from A.
    const bRequestsBefore = pbxB.requests.length;
    const aRequestsBefore = s.sandbox.requests.length;
    await command('TA', 'UA', `hold 0003*210 ${callB.id}`);
    const asked = await s.api.waitFor('response_url', (c) => c.seq > started && /not live on 0003\*210/.test(String(c.body.text)));
    expect(asked.body.text).toContain(callB.id);
    expect(s.sandbox.requests.slice(aRequestsBefore).some((r) => r.path.startsWith('/uapi/'))).toBe(true);
    await s.slack.idle();
    expect(pbxB.requests.slice(bRequestsBefore).filter((r) => r.path.includes(callB.id) && r.method !== 'GET')).toEqual([]);
    // B's user acts on it: B's PBX carries it out.
    await command('TB', 'UB', `hold 0003*210 ${callB.id}`);
    await waitUntil('B to put its call on hold', () => pbxB.requests.some((r) => r.method === 'PUT' && r.path.includes(callB.id) && r.status === 202));
    await s.slack.idle();

    // Nothing of B's call ever went to A's workspace.
    const toA = [...withToken('xoxb-TA-token', started)];
    expect(toA.filter((c) => JSON.stringify(c.body).includes('5550177'))).toEqual([]);
    expect(withToken('xoxb-TB-token', started).filter((c) => c.body.channel === 'C-TA')).toEqual([]);

    // /whoami names each workspace's own server.
    const whoB = await command('TB', 'UB', 'whoami');
    expect(JSON.stringify(whoB.json)).toContain(new URL(pbxB.url).host);
    // Readiness does not hang on any one workspace's server.
    expect((await fetch(`${s.base}/readyz`)).status).toBe(200);
    // /metrics counts each workspace's own PBX requests under its own (bounded) label.
    const metrics = await (await fetch(`${s.base}/metrics`)).text();
    expect(metrics).toMatch(/callops_workspace_uapi_requests_total\{workspace="TA",result="ok"\} [1-9]/);
    expect(metrics).toMatch(/callops_workspace_uapi_requests_total\{workspace="TB",result="ok"\} [1-9]/);
  });
});

describe('a workspace that moves to another VoipNow server', () => {
  it('ends its watches on the former server and its links, so no old token reaches the new one', async () => {
    await install('TB');
    expect(JSON.stringify((await (await submitConnect('TB', 'UADM-B', { url: pbxB.url, ...B_APP })).outcome()).body.view)).toMatch(/Users can now run/);
    const t = pbxB.issueToken('12');
    await s.slack.deps.accounts.link({ teamId: 'TB', userId: 'UB' }, { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: new Date(Date.now() + t.expiresIn * 1000) });
    await command('TB', 'UB', 'watch 0003*210');
    await waitUntil('the watch stored, its events registered on the former server', async () => (await s.store.listWatches()).some((w) => w.teamId === 'TB' && w.eventIds?.length));
    expect(pbxB.world.events.filter((e) => e.note === 'callops board TB/C-TB').length).toBeGreaterThan(0);

    const moved = await submitConnect('TB', 'UADM-B', { url: s.sandbox.url, clientId: 'callops-demo', clientSecret: 'callops-demo-secret' });
    expect(JSON.stringify((await moved.outcome()).body.view)).toMatch(/links and watches made with the former server have ended/);
    expect(pbxB.world.events.filter((e) => e.note?.includes('TB'))).toEqual([]);
    expect(await s.store.getLinkedAccount('TB', 'UB')).toBeUndefined();
    expect((await s.store.listWatches()).filter((w) => w.teamId === 'TB')).toEqual([]);

    // The user links again, at the new server; nothing was sent there meanwhile.
    const newServer = s.sandbox.requests.length;
    const list = await command('TB', 'UB', 'list 0003*210');
    const blocks = (list.json as { blocks?: { elements?: { action_id?: string; url?: string }[] }[] }).blocks ?? [];
    expect(blocks.flatMap((b) => b.elements ?? []).some((e) => e.action_id === 'link.open')).toBe(true);
    await s.slack.idle();
    expect(s.sandbox.requests.slice(newServer).filter((r) => r.path.startsWith('/uapi/'))).toEqual([]);
  });
});

describe('a VoipNow server with a private CA', () => {
  it('is refused until its CA is given, then used with that CA for links and calls', async () => {
    const cert = selfSignedCertificate();
    const tls = await startSandbox({ tls: cert, pickupDelayMs: 30 });
    try {
      await install('TC');
      const untrusted = await submitConnect('TC', 'UADM-C', { url: tls.url, clientId: 'callops-demo', clientSecret: 'callops-demo-secret' });
      expect(JSON.stringify((await untrusted.outcome()).body.view)).toMatch(/TLS certificate is not trusted.*CA field/);
      expect(await s.slack.deps.accounts.tenants.settings('TC')).toBeUndefined();

      const ca = cert.cert.toString('utf8').trim();
      const trusted = await submitConnect('TC', 'UADM-C', { url: tls.url, clientId: 'callops-demo', clientSecret: 'callops-demo-secret', ca });
      expect(JSON.stringify((await trusted.outcome()).body.view)).toMatch(/Connected/);
      expect((await s.slack.deps.accounts.tenants.settings('TC'))?.caPem).toBe(ca);

      // The consent link leads to this server; the finished consent is stood in for by a token it issued.
      const link = await command('TC', 'UC', 'link 0003*210');
      const blocks = (link.json as { blocks: { elements?: { action_id?: string; url?: string }[] }[] }).blocks;
      const start = new URL(blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'link.open')!.url!);
      const page = await (await fetch(new URL(start.pathname + start.search, s.base))).text();
      expect(page).toContain(`${new URL(tls.url).origin}/oauth/authorize.php`);
      const t = tls.issueToken('12');
      await s.slack.deps.accounts.link({ teamId: 'TC', userId: 'UC' }, { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: new Date(Date.now() + t.expiresIn * 1000) });
      const before = tls.requests.length;
      await command('TC', 'UC', 'list 0003*210');
      await waitUntil('the list to be read over TLS with the CA', () => tls.requests.slice(before).some((r) => r.path.startsWith('/uapi/phoneCalls') && r.status === 200));
      await s.slack.idle();
    } finally {
      await tls.close();
      rmSync(join(cert.certFile, '..'), { recursive: true, force: true });
    }
  });
});
