/**
 * Distribution mode end to end, through the app as `npm start` builds it (no bot token,
 * SLACK_CLIENT_ID/SECRET and SLACK_STATE_SECRET): "Add to Slack" from /slack/install to
 * the stored installation, every workspace answered with its own token, forged and
 * replayed states installing nothing, and an uninstall that forgets the workspace.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BOT_SCOPES } from '../src/slack/workspaces/bot-scopes.js';
import { inWorkspace } from '../src/slack/workspaces/workspace-tokens.js';
import { DISTRIBUTION, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { startDistributionStack } from './helpers/distribution.js';
import { eventCallback, JSON_TYPE, sendSigned, slashCommand } from './helpers/signed.js';
import { eventCallbackBody } from './helpers/payloads.js';
import { waitUntil } from './helpers/wait.js';
import { httpReply } from './helpers/slack-api.js';

const manifest = parse(readFileSync(new URL('../manifest.yml', import.meta.url), 'utf8'));
const manifestScopes: string[] = manifest.oauth_config.scopes.bot;

let s: Stack;
beforeEach(async () => {
  // A hostile workspace name: it reaches Slack only escaped.
  s = await startDistributionStack((team) => `Team <${team}> & co`);
});
afterEach(async () => s?.close());

/** GET /slack/install: Slack's authorize URL and the state cookie it set. */
async function startInstall(): Promise<{ authorize: URL; cookie: string }> {
  const res = await fetch(`${s.base}/slack/install`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { authorize: new URL(res.headers.get('location')!), cookie };
}

/** Slack sends the browser back with a code and the state. */
function redirect(code: string, state: string, cookie?: string): Promise<Response> {
  return fetch(`${s.base}/slack/oauth_redirect?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`, { headers: cookie ? { Cookie: cookie } : {}, redirect: 'manual' });
}

async function install(team: string): Promise<Response> {
  // Its admin connects the stack's sandbox as the workspace's VoipNow server.
  await s.connect(team);
  const { authorize, cookie } = await startInstall();
  return redirect(`code-${team}`, authorize.searchParams.get('state')!, cookie);
}

const installations = () => s.slack.deps.store;
const findInstall = (teamId: string) => {
  // The installation store shares the app's SQLite database.
  const store = (s.store as unknown as { sqlRunner(): import('../src/store/sql-runner.js').SqlRunner }).sqlRunner();
  return store.query('SELECT team_id, bot_user_id, scopes, installer_user_id FROM slack_installations WHERE team_id = ?', [teamId]).then((r) => r.rows[0]);
};
const homeOpened = (team: string, user = 'U1') => eventCallback(s.base, SIGNING_SECRET, { type: 'app_home_opened', user, channel: 'D1', tab: 'home' }, team);
const withToken = (token: string, after = 0) => s.api.calls.filter((c) => c.token === token && c.seq > after);

describe('distribution mode: Add to Slack', () => {
  it('/slack/install leads to Slack with the client id, the manifest bot scopes and a state bound to a cookie', async () => {
    const { authorize, cookie } = await startInstall();
    expect(`${authorize.origin}${authorize.pathname}`).toBe('https://slack.com/oauth/v2/authorize');
    expect(authorize.searchParams.get('client_id')).toBe(DISTRIBUTION.clientId);
    expect(authorize.searchParams.get('scope')!.split(',').sort()).toEqual([...manifestScopes].sort());
    expect(authorize.searchParams.get('redirect_uri')).toBe('http://callops.test/slack/oauth_redirect');
    const state = authorize.searchParams.get('state')!;
    expect(state.length).toBeGreaterThan(20);
    expect(cookie).toBe(`slack-app-oauth-state=${state}`);
  });

  it('the redirect with that state stores the installation, and says what to do next', async () => {
    const res = await install('T9');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('callops is installed');
    expect(page).toContain('Team &#60;T9&#62; &#38; co');
    expect(page).not.toContain('<T9>');
    expect(page).toMatch(/\/call link/);
    const exchange = s.api.callsTo('oauth.v2.access')[0]!;
    expect(exchange.body).toMatchObject({ code: 'code-T9', client_id: DISTRIBUTION.clientId, redirect_uri: 'http://callops.test/slack/oauth_redirect' });
    expect(await findInstall('T9')).toMatchObject({ bot_user_id: 'UBOT-T9', installer_user_id: 'U-installer-T9' });
    // Stored encrypted: the token is not in the database as text.
    const raw = await (s.store as unknown as { sqlRunner(): import('../src/store/sql-runner.js').SqlRunner }).sqlRunner().query('SELECT bot_token FROM slack_installations', []);
    expect(String(raw.rows[0]?.bot_token)).not.toContain('xoxb-T9-token');
  });

  it('a forged, tampered, cookie-less or replayed state installs nothing', async () => {
    const forged = await redirect('code-T6', 'forged-state', 'slack-app-oauth-state=forged-state');
    expect(forged.status).toBe(400);
    expect(await forged.text()).toMatch(/Nothing was installed: the state parameter (is malformed|was not issued by this callops)/);

    const { authorize, cookie } = await startInstall();
    const state = authorize.searchParams.get('state')!;
    const tampered = `${state.slice(0, -2)}${state.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await redirect('code-T6', tampered, `slack-app-oauth-state=${tampered}`)).status).toBe(400);
    const noCookie = await redirect('code-T6', state);
    expect(noCookie.status).toBe(400);
    expect(await noCookie.text()).toMatch(/another browser/);
    expect(s.api.callsTo('oauth.v2.access')).toHaveLength(0);

    expect((await redirect('code-T7', state, cookie)).status).toBe(200);
    const replay = await redirect('code-T6', state, cookie);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toMatch(/already used/);
    expect(s.api.callsTo('oauth.v2.access')).toHaveLength(1);
    expect(await findInstall('T6')).toBeUndefined();
    expect(await findInstall('T7')).toBeDefined();
  });

  it('each workspace is answered with its own token; one that never installed gets no call and breaks nothing', async () => {
    await install('T1');
    await install('T9');
    expect((await homeOpened('T9', 'U9')).status).toBe(200);
    const publish9 = await s.api.waitFor('views.publish', (c) => c.body.user_id === 'U9');
    expect(publish9.token).toBe('xoxb-T9-token');
    expect((await homeOpened('T1', 'U1')).status).toBe(200);
    expect((await s.api.waitFor('views.publish', (c) => c.body.user_id === 'U1')).token).toBe('xoxb-T1-token');

    const before = s.api.calls.length;
    expect((await homeOpened('T5', 'U5')).status).toBe(200);
    const cmd = await slashCommand(s.base, SIGNING_SECRET, { team_id: 'T5', user_id: 'U5', text: 'help', response_url: s.api.responseUrl('/cmd/T5') });
    expect(cmd.status).toBe(200);
    // Still serving: the installed workspace is answered after the stranger.
    await homeOpened('T9', 'U99');
    await s.api.waitFor('views.publish', (c) => c.body.user_id === 'U99');
    // Only U99's Home: its publish, and the admin check of its "VoipNow server" section.
    const forU99 = (c: { method: string; body: Record<string, unknown> }) =>
      (c.method === 'views.publish' && c.body.user_id === 'U99') || (c.method === 'users.info' && c.body.user === 'U99');
    expect(s.api.calls.slice(before).filter((c) => !forU99(c))).toEqual([]);
    expect((await fetch(`${s.base}/healthz`)).status).toBe(200);
  });

  it('Slack Connect: a user of another organisation in a shared channel is refused before any listener runs', async () => {
    await install('T9');
    const res = await slashCommand(s.base, SIGNING_SECRET, { team_id: 'T9', user_team_id: 'TX', user_id: 'UX', text: 'list', response_url: s.api.responseUrl('/cmd/UX') });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.json)).toMatch(/not available to you/);
    // A user of the installed workspace itself is not refused.
    const own = await slashCommand(s.base, SIGNING_SECRET, { team_id: 'T9', user_id: 'U9', text: 'help', response_url: s.api.responseUrl('/cmd/U9') });
    expect(JSON.stringify(own.json ?? '')).not.toMatch(/not available to you/);
  });

  it("board writes of a workspace go out with that workspace's token", async () => {
    await install('T9');
    await s.slack.deps.accounts.link({ teamId: 'T9', userId: 'U9' }, token(s, '12'), { extension: '0003*210' });
    await slashCommand(s.base, SIGNING_SECRET, { team_id: 'T9', user_id: 'U9', channel_id: 'C9', text: 'watch 0003*210', response_url: s.api.responseUrl('/cmd/U9') });
    const card = await s.api.waitFor('chat.postMessage', (c) => c.body.channel === 'C9', 8000);
    expect(card.token).toBe('xoxb-T9-token');
    expect(s.api.calls.filter((c) => c.body.channel === 'C9' && c.token !== 'xoxb-T9-token')).toEqual([]);
  });

  it('with token rotation, an expiring bot token is refreshed once for concurrent requests and the new one used', async () => {
    s.api.respondWith('oauth.v2.access', (call) =>
      call.body.grant_type === 'refresh_token'
        ? { ok: true, token_type: 'bot', access_token: 'xoxb-T9-rotated', refresh_token: 'xoxe-1-second', expires_in: 43_200, scope: BOT_SCOPES.join(',') }
        : {
            ok: true,
            app_id: 'A1',
            authed_user: { id: 'U-installer-T9' },
            scope: BOT_SCOPES.join(','),
            token_type: 'bot',
            access_token: 'xoxb-T9-token',
            refresh_token: 'xoxe-1-first',
            // Within the two hours before expiry in which Bolt refreshes.
            expires_in: 600,
            bot_user_id: 'UBOT-T9',
            team: { id: 'T9', name: 'Nine' },
            enterprise: null,
            is_enterprise_install: false,
          },
    );
    expect((await install('T9')).status).toBe(200);
    const results = await Promise.all(['UR1', 'UR2', 'UR3'].map((u) => homeOpened('T9', u)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    for (const u of ['UR1', 'UR2', 'UR3']) expect((await s.api.waitFor('views.publish', (c) => c.body.user_id === u)).token).toBe('xoxb-T9-rotated');
    const refreshes = s.api.callsTo('oauth.v2.access').filter((c) => c.body.grant_type === 'refresh_token');
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]!.body.refresh_token).toBe('xoxe-1-first');
    // Work outside a Slack request (the board's client) reads the rotated token too, with no second refresh.
    await inWorkspace({ teamId: 'T9' }, () => s.slack.board.client.chat.postMessage({ channel: 'C9', text: 'rotation check' }));
    expect((await s.api.waitFor('chat.postMessage', (c) => c.body.text === 'rotation check')).token).toBe('xoxb-T9-rotated');
    expect(s.api.callsTo('oauth.v2.access').filter((c) => c.body.grant_type === 'refresh_token')).toHaveLength(1);
  });

  it('tokens_revoked for the bot token forgets the workspace; a revoked user token alone changes nothing', async () => {
    await install('T1');
    await install('T9');
    await s.slack.deps.accounts.link({ teamId: 'T9', userId: 'U9' }, token(s, '12'), { extension: '0003*210' });
    expect((await eventCallback(s.base, SIGNING_SECRET, { type: 'tokens_revoked', tokens: { oauth: ['U9'] } }, 'T9')).status).toBe(200);
    await s.slack.idle();
    expect(await findInstall('T9')).toBeDefined();
    expect(await installations().getLinkedAccount('T9', 'U9')).toBeDefined();

    expect((await eventCallback(s.base, SIGNING_SECRET, { type: 'tokens_revoked', tokens: { bot: ['UBOT-T9'] } }, 'T9')).status).toBe(200);
    await waitUntil('T9 forgotten', async () => (await findInstall('T9')) === undefined && (await installations().getLinkedAccount('T9', 'U9')) === undefined);
    const mark = s.api.calls.at(-1)?.seq ?? 0;
    await homeOpened('T9', 'U9');
    await homeOpened('T1', 'U1');
    expect((await s.api.waitFor('views.publish', (c) => c.body.user_id === 'U1' && c.seq > mark)).token).toBe('xoxb-T1-token');
    expect(withToken('xoxb-T9-token', mark)).toEqual([]);
  });

  it('an org-wide install serves every workspace of the org, and its uninstall forgets them all', async () => {
    s.api.respondWith('oauth.v2.access', () => ({
      ok: true,
      app_id: 'A1',
      authed_user: { id: 'U-org-admin' },
      scope: BOT_SCOPES.join(','),
      token_type: 'bot',
      access_token: 'xoxb-E1-token',
      bot_user_id: 'UBOT-E1',
      team: null,
      enterprise: { id: 'E1', name: 'Grid Org' },
      is_enterprise_install: true,
    }));
    const res = await install('E1');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('every workspace of Grid Org');
    const body = (_team: string, user: string) => ({ type: 'app_home_opened', user, channel: 'D1', tab: 'home' });
    // An event from a workspace of the org, as Slack sends it under an org-wide install.
    const send = async (team: string, event: Record<string, unknown>) => {
      const b = eventCallbackBody(event, team);
      b.enterprise_id = 'E1';
      b.context_enterprise_id = 'E1';
      b.authorizations = [{ enterprise_id: 'E1', team_id: null, user_id: 'UBOT-E1', is_bot: true, is_enterprise_install: true }];
      return sendSigned(s.base, SIGNING_SECRET, JSON.stringify(b), JSON_TYPE);
    };
    expect((await send('T31', body('T31', 'U31'))).status).toBe(200);
    expect((await s.api.waitFor('views.publish', (c) => c.body.user_id === 'U31')).token).toBe('xoxb-E1-token');
    expect((await send('T32', body('T32', 'U32'))).status).toBe(200);
    expect((await s.api.waitFor('views.publish', (c) => c.body.user_id === 'U32')).token).toBe('xoxb-E1-token');
    // A workspace of another org gets nothing from this install.
    const before = s.api.calls.length;
    expect((await homeOpened('T40', 'U40')).status).toBe(200);
    await s.slack.idle();
    expect(s.api.calls.slice(before)).toEqual([]);

    await s.slack.deps.accounts.link({ teamId: 'T31', userId: 'U31' }, token(s, '12'), { extension: '0003*210' });
    expect((await send('T31', { type: 'app_uninstalled' })).status).toBe(200);
    await waitUntil('the org forgotten', async () => (await installations().getLinkedAccount('T31', 'U31')) === undefined);
    const mark = s.api.calls.at(-1)?.seq ?? 0;
    await send('T32', body('T32', 'U32b'));
    await homeOpened('T40', 'U40b');
    await s.slack.idle();
    expect(withToken('xoxb-E1-token', mark)).toEqual([]);
  });

  it("linking a user of a workspace uses that workspace's token outside any Slack request too", async () => {
    await install('T9');
    const res = await slashCommand(s.base, SIGNING_SECRET, { team_id: 'T9', user_id: 'U9', text: 'link 0003*210', response_url: s.api.responseUrl('/link/U9') });
    const blocks = (res.json as { blocks: { elements?: { action_id?: string; url?: string }[] }[] }).blocks;
    const start = new URL(blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'link.open')!.url!);
    // The link page names the user and workspace, asking Slack with T9's token.
    const page = await (await fetch(new URL(start.pathname + start.search, s.base))).text();
    expect((await s.api.waitFor('users.info', (c) => c.body.user === 'U9')).token).toBe('xoxb-T9-token');
    const next = [...page.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&#38;/g, '&')).find((h) => h.includes('/oauth/authorize.php'))!;
    const authorize = new URL(next);
    const form = new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), decision: 'permit', user_id: '12' });
    const consent = await fetch(new URL('/oauth/authorize.php', s.sandbox.url), { method: 'POST', body: form, redirect: 'manual' });
    const back = new URL(consent.headers.get('location')!);
    // The response URL has expired: the confirmation comes as a direct message, with T9's token.
    s.api.respondWith('response_url', httpReply(404, 'expired_url'));
    expect((await fetch(new URL(back.pathname + back.search, s.base))).status).toBe(200);
    const dm = await s.api.waitFor('chat.postMessage', (c) => c.body.channel === 'U9');
    expect(dm.token).toBe('xoxb-T9-token');
    expect((await installations().getLinkedAccount('T9', 'U9'))?.extension).toBe('0003*210');
  });

  it('after app_uninstalled the workspace is forgotten and its token never used again; other workspaces keep theirs', async () => {
    await install('T1');
    await install('T9');
    for (const [team, user, channel] of [
      ['T1', 'U1', 'C1'],
      ['T9', 'U9', 'C9'],
    ] as const) {
      await s.slack.deps.accounts.link({ teamId: team, userId: user }, token(s, '12'), { extension: '0003*210' });
      await slashCommand(s.base, SIGNING_SECRET, { team_id: team, user_id: user, channel_id: channel, text: 'watch 0003*210', response_url: s.api.responseUrl(`/cmd/${user}`) });
      await s.api.waitFor('chat.postMessage', (c) => c.body.channel === channel, 8000);
    }
    const events9 = () => s.sandbox.world.events.filter((e) => e.note === 'callops board T9/C9');
    expect(events9()).toHaveLength(5);

    expect((await eventCallback(s.base, SIGNING_SECRET, { type: 'app_uninstalled' }, 'T9')).status).toBe(200);
    await waitUntil(
      'T9 forgotten',
      async () =>
        (await findInstall('T9')) === undefined &&
        (await installations().listWatches()).every((w) => w.teamId !== 'T9') &&
        (await installations().getLinkedAccount('T9', 'U9')) === undefined,
    );
    const mark = s.api.calls.at(-1)?.seq ?? 0;
    expect(events9()).toEqual([]);
    expect(await installations().getLinkedAccount('T1', 'U1')).toBeDefined();
    expect((await installations().listWatches()).map((w) => w.teamId)).toEqual(['T1']);
    expect(await findInstall('T1')).toBeDefined();

    // A new call on the extension both watched: T1's board shows it, T9's token stays unused.
    const res = await fetch(`${s.sandbox.url}/_sandbox/calls`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: '0003*210', from: '5550001' }),
    });
    expect(res.status).toBe(201);
    await s.api.waitFor('chat.postMessage', (c) => c.body.channel === 'C1' && c.seq > mark, 8000);
    await homeOpened('T9', 'U9');
    await slashCommand(s.base, SIGNING_SECRET, { team_id: 'T9', user_id: 'U9', channel_id: 'C9', text: 'list', response_url: s.api.responseUrl('/cmd/U9-after') });
    await homeOpened('T1', 'U1b');
    await s.api.waitFor('views.publish', (c) => c.body.user_id === 'U1b');
    expect(withToken('xoxb-T9-token', mark)).toEqual([]);
  });
});

/** A VoipNow token of a sandbox user, as a finished consent gives it. */
function token(stack: Stack, voipnowUserId: string) {
  const t = stack.sandbox.issueToken(voipnowUserId);
  return { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: new Date(Date.now() + t.expiresIn * 1000) };
}
