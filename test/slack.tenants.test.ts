/**
 * One VoipNow server per workspace (distribution mode), through the public surface: a workspace
 * without one is told an admin must connect it and nothing reaches any PBX, and two workspaces
 * on two sandbox PBXs link, watch and act on their own calls only: signed Slack requests in,
 * each sandbox's UAPI requests and the Slack messages out.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { B_APP, startTenancy, type Tenancy } from './helpers/tenants.js';
import { waitUntil } from './helpers/wait.js';

let t: Tenancy;
beforeEach(async () => {
  t = await startTenancy();
});
afterEach(async () => t?.close());

describe('a workspace without a VoipNow server', () => {
  it('is told privately that an admin must connect VoipNow first, and nothing reaches any PBX', async () => {
    await t.install('TN');
    const pbxRequests = [t.s.sandbox.requests.length, t.pbxB.requests.length];
    const before = t.mark();
    const list = await t.command('TN', 'UN', 'list 0003*210');
    const listed = await t.told(list, 'TN', 'UN', before);
    expect(listed).toMatch(/not connected to a VoipNow server/);
    expect(listed).toMatch(/\/call connect/);
    const link = await t.command('TN', 'UN', 'link');
    expect(JSON.stringify(link.json)).toMatch(/admin .*must connect it first/);
    expect(JSON.stringify(link.json)).not.toMatch(/link\.open/);
    const watch = await t.command('TN', 'UN', 'watch 0003*210');
    expect(await t.told(watch, 'TN', 'UN', before)).toMatch(/not connected to a VoipNow server/);
    await t.s.slack.idle();
    expect([t.s.sandbox.requests.length, t.pbxB.requests.length]).toEqual(pbxRequests);
    expect(await t.s.store.listWatches()).toEqual([]);
  });
});

describe('two workspaces on two VoipNow servers', () => {
  it('each links, watches and acts on its own calls only', async () => {
    await t.install('TA');
    await t.install('TB');
    expect(
      JSON.stringify((await (await t.submitConnect('TA', 'UADM-A', { url: t.s.sandbox.url, clientId: 'callops-demo', clientSecret: 'callops-demo-secret' })).outcome()).body.view),
    ).toMatch(/Connected/);
    expect(JSON.stringify((await (await t.submitConnect('TB', 'UADM-B', { url: t.pbxB.url, ...B_APP })).outcome()).body.view)).toMatch(/Connected/);

    const connectedAt = (await t.s.slack.deps.accounts.tenants.settings('TB'))?.lastOkAt?.getTime() ?? 0;
    expect(connectedAt).toBeGreaterThan(0);

    // Each user's consent goes to their own workspace's PBX, with that workspace's app.
    const consentA = await t.linkThroughConsent('TA', 'UA', t.s.sandbox, '12', '0003*210');
    const consentB = await t.linkThroughConsent('TB', 'UB', t.pbxB, '12', '0003*210');
    expect([consentA.origin, consentA.searchParams.get('client_id')]).toEqual([new URL(t.s.sandbox.url).origin, 'callops-demo']);
    expect([consentB.origin, consentB.searchParams.get('client_id')]).toEqual([new URL(t.pbxB.url).origin, B_APP.clientId]);
    const tokenOf = async (team: string, user: string) => (await t.s.store.getLinkedAccount(team, user))?.accessToken;
    // Each code was exchanged at the PBX that issued it.
    expect(t.s.sandbox.requests.filter((r) => r.path === '/oauth/token.php' && r.status === 200)).toHaveLength(1);
    expect(t.pbxB.requests.filter((r) => r.path === '/oauth/token.php' && r.status === 200)).toHaveLength(1);
    expect(await tokenOf('TA', 'UA')).toBeTruthy();
    expect(await tokenOf('TB', 'UB')).toBeTruthy();

    // Both watch the same extension number, each on its own PBX.
    for (const team of ['TA', 'TB']) await t.command(team, `U${team.slice(1)}`, 'watch 0003*210');
    await waitUntil(
      'both boards to register their events',
      () => t.s.sandbox.world.events.some((e) => e.note === 'callops board TA/C-TA') && t.pbxB.world.events.some((e) => e.note === 'callops board TB/C-TB'),
    );
    expect(t.s.sandbox.world.events.filter((e) => e.note?.includes('TB'))).toEqual([]);
    expect(t.pbxB.world.events.filter((e) => e.note?.includes('TA'))).toEqual([]);

    // A call rings on B's PBX only: B's channel gets its card with B's token, A's channel never sees it.
    const started = t.mark();
    const rung = await fetch(`${t.pbxB.url}/_sandbox/calls`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: '0003*210', from: '5550177', autoAnswer: true }),
    });
    expect(rung.status).toBe(201);
    const callB = (await rung.json()) as { id: string };
    const cardB = await t.s.api.waitFor('chat.postMessage', (c) => c.seq > started && c.body.channel === 'C-TB' && JSON.stringify(c.body).includes('5550177'), 8000);
    expect(cardB.token).toBe('xoxb-TB-token');

    // A's user acts on B's call: A's PBX is asked (and does not know it), B's PBX hears nothing from A.
    const bRequestsBefore = t.pbxB.requests.length;
    const aRequestsBefore = t.s.sandbox.requests.length;
    await t.command('TA', 'UA', `hold 0003*210 ${callB.id}`);
    const asked = await t.s.api.waitFor('response_url', (c) => c.seq > started && /not live on 0003\*210/.test(String(c.body.text)));
    expect(asked.body.text).toContain(callB.id);
    expect(t.s.sandbox.requests.slice(aRequestsBefore).some((r) => r.path.startsWith('/uapi/'))).toBe(true);
    await t.s.slack.idle();
    expect(t.pbxB.requests.slice(bRequestsBefore).filter((r) => r.path.includes(callB.id) && r.method !== 'GET')).toEqual([]);
    // B's user acts on it: B's PBX carries it out.
    await t.command('TB', 'UB', `hold 0003*210 ${callB.id}`);
    await waitUntil('B to put its call on hold', () => t.pbxB.requests.some((r) => r.method === 'PUT' && r.path.includes(callB.id) && r.status === 202));
    await t.s.slack.idle();

    // Nothing of B's call ever went to A's workspace.
    const toA = [...t.withToken('xoxb-TA-token', started)];
    expect(toA.filter((c) => JSON.stringify(c.body).includes('5550177'))).toEqual([]);
    expect(t.withToken('xoxb-TB-token', started).filter((c) => c.body.channel === 'C-TA')).toEqual([]);

    // Linking and calls brought "last seen working" up to date.
    await waitUntil('B last seen working after the call', async () => ((await t.s.slack.deps.accounts.tenants.settings('TB'))?.lastOkAt?.getTime() ?? 0) > connectedAt);
    // /whoami names each workspace's own server.
    const whoB = await t.command('TB', 'UB', 'whoami');
    expect(JSON.stringify(whoB.json)).toContain(new URL(t.pbxB.url).host);
    // Readiness does not hang on any one workspace's server.
    expect((await fetch(`${t.s.base}/readyz`)).status).toBe(200);
    // /metrics counts each workspace's own PBX requests under its own (bounded) label.
    const metrics = await (await fetch(`${t.s.base}/metrics`)).text();
    expect(metrics).toMatch(/callops_workspace_uapi_requests_total\{workspace="TA",result="ok"\} [1-9]/);
    expect(metrics).toMatch(/callops_workspace_uapi_requests_total\{workspace="TB",result="ok"\} [1-9]/);
  });
});
