/**
 * `/call connect`: who may, what is checked before saving (each failure in its own sentence),
 * the secret encrypted and never shown, a server with a private CA, and a workspace moving to
 * another server, whose old links and watches end so no old token reaches the new one.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../src/sandbox/server.js';
import { selfSignedCertificate } from '../src/sandbox/tls.js';
import { SIGNING_SECRET } from './helpers/stack.js';
import { eventCallback } from './helpers/signed.js';
import { B_APP, startTenancy, type Tenancy } from './helpers/tenants.js';
import { waitUntil } from './helpers/wait.js';

let t: Tenancy;
beforeEach(async () => {
  t = await startTenancy();
});
afterEach(async () => t?.close());

describe('/call connect', () => {
  it('only Slack admins and the installer may open it', async () => {
    await t.install('TA');
    const before = t.mark();
    const refused = await t.command('TA', 'U-plain', 'connect');
    expect(await t.told(refused, 'TA', 'U-plain', before)).toMatch(/Only a Slack workspace admin or owner, or whoever installed callops/);
    expect(t.s.api.callsTo('views.open')).toHaveLength(0);

    await t.command('TA', 'UADM-A', 'connect');
    const opened = await t.s.api.waitFor('views.open', (c) => c.token === 'xoxb-TA-token');
    expect((opened.body.view as { callback_id: string }).callback_id).toBe('voipnow.connect');

    await t.command('TA', 'U-installer-TA', 'connect');
    await waitUntil('the installer to get the form', () => t.s.api.callsTo('views.open').length === 2);
  });

  it("App Home shows the workspace's VoipNow server, with the Connect button only for those who may", async () => {
    await t.install('TA');
    const homeOf = async (user: string) => {
      const n = t.s.api.callsTo('views.publish').length;
      expect((await eventCallback(t.s.base, SIGNING_SECRET, { type: 'app_home_opened', user, channel: `D${user}`, tab: 'home' }, 'TA')).status).toBe(200);
      const published = await waitUntil(`${user}'s Home`, () => t.s.api.callsTo('views.publish')[n]);
      return JSON.stringify((published.body.view as { blocks: unknown[] }).blocks);
    };
    const admin = await homeOf('UADM-A');
    expect(admin).toContain('VoipNow server');
    expect(admin).toContain('Not connected yet');
    expect(admin).toContain('voipnow.connect.open');
    const plain = await homeOf('U-plain');
    expect(plain).toContain('Not connected yet');
    expect(plain).not.toContain('voipnow.connect.open');
  });

  it('checks the server before saving, says what is wrong, stores the secret encrypted', async () => {
    await t.install('TB');
    // Not a web address: the field itself says what is allowed.
    const bad = await t.submitConnect('TB', 'UADM-B', { url: 'voipnow', ...B_APP });
    expect(bad.res.json).toMatchObject({ response_action: 'errors', errors: { url: expect.stringMatching(/https:\/\/voipnow\.example\.com/) } });
    const badCa = await t.submitConnect('TB', 'UADM-B', { url: t.pbxB.url, ...B_APP, ca: 'not a certificate' });
    expect(badCa.res.json).toMatchObject({ response_action: 'errors', errors: { ca_pem: expect.stringMatching(/BEGIN CERTIFICATE/) } });

    const spaced = await t.submitConnect('TB', 'UADM-B', { url: t.pbxB.url, clientId: 'two words', clientSecret: 'x' });
    expect(spaced.res.json).toMatchObject({ response_action: 'errors', errors: { client_id: expect.stringMatching(/without spaces/) } });
    const noSecret = await t.submitConnect('TB', 'UADM-B', { url: t.pbxB.url, clientId: B_APP.clientId, clientSecret: '' });
    expect(noSecret.res.json).toMatchObject({ response_action: 'errors', errors: { client_secret: expect.stringMatching(/client secret/) } });
    // Nobody answers there: said in words, nothing saved.
    const unreachable = await t.submitConnect('TB', 'UADM-B', { url: 'http://127.0.0.1:1', ...B_APP });
    expect(JSON.stringify((await unreachable.outcome()).body.view)).toMatch(/could not reach http:\/\/127\.0\.0\.1:1/);

    // A wrong secret: the PBX refuses the app, nothing is saved.
    const wrong = await t.submitConnect('TB', 'UADM-B', { url: t.pbxB.url, clientId: B_APP.clientId, clientSecret: 'not-the-secret' });
    expect(wrong.res.json).toMatchObject({ response_action: 'update' });
    expect(JSON.stringify((await wrong.outcome()).body.view)).toMatch(/does not accept this client id and secret/);
    expect(await t.s.slack.deps.accounts.tenants.settings('TB')).toBeUndefined();

    // The right app: saved, and the users of TB may link.
    const right = await t.submitConnect('TB', 'UADM-B', { url: `${t.pbxB.url}/`, ...B_APP });
    expect(JSON.stringify((await right.outcome()).body.view)).toMatch(/Connected/);
    const saved = await t.s.slack.deps.accounts.tenants.settings('TB');
    expect(saved).toMatchObject({ url: t.pbxB.url, clientId: B_APP.clientId, clientSecret: B_APP.clientSecret, setBy: 'UADM-B' });
    expect(saved?.lastOkAt).toBeInstanceOf(Date);
    const raw = await (t.s.store as unknown as { sqlRunner(): import('../src/store/sql-runner.js').SqlRunner })
      .sqlRunner()
      .query('SELECT client_secret FROM voipnow_tenants WHERE team_id = ?', ['TB']);
    expect(String(raw.rows[0]?.client_secret)).not.toContain(B_APP.clientSecret);
    // The form shown again never carries the secret back.
    await t.command('TB', 'UADM-B', 'connect');
    const reopened = await t.s.api.waitFor('views.open', (c) => c.token === 'xoxb-TB-token');
    expect(JSON.stringify(reopened.body.view)).toContain(t.pbxB.url);
    expect(JSON.stringify(reopened.body.view)).not.toContain(B_APP.clientSecret);
    // It shows what is set and when it was last seen working.
    expect(JSON.stringify(reopened.body.view)).toMatch(/Last seen working.*<!date\^\d+\^/);
    expect(JSON.stringify(reopened.body.view)).toMatch(/set \(stored encrypted\)/);
    expect(JSON.stringify(reopened.body.view)).toMatch(/Set by.*UADM-B/);
    expect(JSON.stringify(reopened.body.view)).toContain('http://callops.test/oauth/voipnow/callback');
    // A non-admin's submission is refused even with a valid form.
    const forged = await t.submitConnect('TB', 'U-plain', { url: t.s.sandbox.url, clientId: 'callops-demo', clientSecret: 'callops-demo-secret' });
    expect(JSON.stringify((await forged.outcome()).body.view)).toMatch(/Only a Slack workspace admin/);
    expect((await t.s.slack.deps.accounts.tenants.settings('TB'))?.url).toBe(t.pbxB.url);
  });
});

describe('a workspace that moves to another VoipNow server', () => {
  it('ends its watches on the former server and its links, so no old token reaches the new one', async () => {
    await t.install('TB');
    expect(JSON.stringify((await (await t.submitConnect('TB', 'UADM-B', { url: t.pbxB.url, ...B_APP })).outcome()).body.view)).toMatch(/Users can now run/);
    const tok = t.pbxB.issueToken('12');
    await t.s.slack.deps.accounts.link(
      { teamId: 'TB', userId: 'UB' },
      { accessToken: tok.accessToken, refreshToken: tok.refreshToken, expiresAt: new Date(Date.now() + tok.expiresIn * 1000) },
    );
    await t.command('TB', 'UB', 'watch 0003*210');
    await waitUntil('the watch stored, its events registered on the former server', async () => (await t.s.store.listWatches()).some((w) => w.teamId === 'TB' && w.eventIds?.length));
    expect(t.pbxB.world.events.filter((e) => e.note === 'callops board TB/C-TB').length).toBeGreaterThan(0);

    const moved = await t.submitConnect('TB', 'UADM-B', { url: t.s.sandbox.url, clientId: 'callops-demo', clientSecret: 'callops-demo-secret' });
    expect(JSON.stringify((await moved.outcome()).body.view)).toMatch(/links and watches made with the former server have ended/);
    expect(t.pbxB.world.events.filter((e) => e.note?.includes('TB'))).toEqual([]);
    expect(await t.s.store.getLinkedAccount('TB', 'UB')).toBeUndefined();
    expect((await t.s.store.listWatches()).filter((w) => w.teamId === 'TB')).toEqual([]);

    // The user links again, at the new server; nothing was sent there meanwhile.
    const newServer = t.s.sandbox.requests.length;
    const list = await t.command('TB', 'UB', 'list 0003*210');
    const blocks = (list.json as { blocks?: { elements?: { action_id?: string; url?: string }[] }[] }).blocks ?? [];
    expect(blocks.flatMap((b) => b.elements ?? []).some((e) => e.action_id === 'link.open')).toBe(true);
    await t.s.slack.idle();
    expect(t.s.sandbox.requests.slice(newServer).filter((r) => r.path.startsWith('/uapi/'))).toEqual([]);
  });
});

describe('a VoipNow server with a private CA', () => {
  it('is refused until its CA is given, then used with that CA for links and calls', async () => {
    const cert = selfSignedCertificate();
    const tls = await startSandbox({ tls: cert, pickupDelayMs: 30 });
    try {
      await t.install('TC');
      const untrusted = await t.submitConnect('TC', 'UADM-C', { url: tls.url, clientId: 'callops-demo', clientSecret: 'callops-demo-secret' });
      expect(JSON.stringify((await untrusted.outcome()).body.view)).toMatch(/TLS certificate is not trusted.*CA field/);
      expect(await t.s.slack.deps.accounts.tenants.settings('TC')).toBeUndefined();

      const ca = cert.cert.toString('utf8').trim();
      const trusted = await t.submitConnect('TC', 'UADM-C', { url: tls.url, clientId: 'callops-demo', clientSecret: 'callops-demo-secret', ca });
      expect(JSON.stringify((await trusted.outcome()).body.view)).toMatch(/Connected/);
      expect((await t.s.slack.deps.accounts.tenants.settings('TC'))?.caPem).toBe(ca);

      // The consent link leads to this server; the finished consent is stood in for by a token it issued.
      const link = await t.command('TC', 'UC', 'link 0003*210');
      const blocks = (link.json as { blocks: { elements?: { action_id?: string; url?: string }[] }[] }).blocks;
      const start = new URL(blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'link.open')!.url!);
      const page = await (await fetch(new URL(start.pathname + start.search, t.s.base))).text();
      expect(page).toContain(`${new URL(tls.url).origin}/oauth/authorize.php`);
      const tok = tls.issueToken('12');
      await t.s.slack.deps.accounts.link(
        { teamId: 'TC', userId: 'UC' },
        { accessToken: tok.accessToken, refreshToken: tok.refreshToken, expiresAt: new Date(Date.now() + tok.expiresIn * 1000) },
      );
      const before = tls.requests.length;
      await t.command('TC', 'UC', 'list 0003*210');
      await waitUntil('the list to be read over TLS with the CA', () => tls.requests.slice(before).some((r) => r.path.startsWith('/uapi/phoneCalls') && r.status === 200));
      await t.s.slack.idle();
    } finally {
      await tls.close();
      rmSync(join(cert.certFile, '..'), { recursive: true, force: true });
    }
  });
});
