/**
 * Distribution mode with two sandbox PBXs: the stack's own (its app callops-demo) and a second
 * one with an app of its own (B_APP); installs by code ("code-TA" installs TA, by U-installer-TA),
 * Slack admins are the users named UADM-*, and the signed requests the tenant tests send.
 */
import { expect } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { SIGNING_SECRET, type Stack } from './stack.js';
import { startDistributionStack } from './distribution.js';
import { slashCommand, viewSubmission, type SlackHttpResult } from './signed.js';
import { viewSubmissionPayload } from './payloads.js';
import type { RecordedCall } from './slack-api.js';

export const B_APP = { clientId: 'tenant-b-app', clientSecret: 'tenant-b-secret' };

export interface Tenancy {
  s: Stack;
  /** The second workspace's PBX. */
  pbxB: Sandbox;
  install(team: string): Promise<void>;
  command(team: string, user: string, text: string, channel?: string): Promise<SlackHttpResult>;
  /** What a command was told privately: its acknowledgement, else what came on its response URL. */
  told(res: SlackHttpResult, team: string, user: string, after: number): Promise<string>;
  mark(): number;
  withToken(token: string, after?: number): RecordedCall[];
  /** The admin fills the connect modal and submits it; `outcome` is the modal as it ends up. */
  submitConnect(
    team: string,
    user: string,
    fields: { url: string; clientId: string; clientSecret: string; ca?: string },
  ): Promise<{ res: SlackHttpResult; outcome: () => Promise<RecordedCall> }>;
  /** A user links through callops' pages and the PBX's own consent page, as a browser would; the consent URL. */
  linkThroughConsent(team: string, user: string, pbx: Sandbox, voipnowUser: string, extension: string): Promise<URL>;
  close(): Promise<void>;
}

export async function startTenancy(): Promise<Tenancy> {
  const s = await startDistributionStack();
  const pbxB = await startSandbox({ pickupDelayMs: 30, ...B_APP });
  s.api.respondWith('users.info', (call, defaults) => {
    const base = defaults() as { user: Record<string, unknown> };
    const id = String(call.body.user);
    return { ...base, user: { ...base.user, id, is_admin: id.startsWith('UADM') } };
  });
  const command = (team: string, user: string, text: string, channel = `C-${team}`) =>
    slashCommand(s.base, SIGNING_SECRET, { team_id: team, user_id: user, channel_id: channel, text, response_url: s.api.responseUrl(`/cmd/${team}/${user}/${Math.random()}`) });
  const mark = () => s.api.calls.at(-1)?.seq ?? 0;
  return {
    s,
    pbxB,
    command,
    mark,
    async install(team) {
      const start = await fetch(`${s.base}/slack/install`, { redirect: 'manual' });
      const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0]!;
      const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
      const done = await fetch(`${s.base}/slack/oauth_redirect?code=code-${team}&state=${encodeURIComponent(state)}`, { headers: { Cookie: cookie } });
      expect(done.status).toBe(200);
    },
    async told(res, team, user, after) {
      const ackText = res.json ? JSON.stringify(res.json) : '';
      if (ackText.length > 2) return ackText;
      const reply = await s.api.waitFor('response_url', (c) => c.seq > after && c.path.includes(`/cmd/${team}/${user}/`));
      return JSON.stringify(reply.body);
    },
    withToken: (token, after = 0) => s.api.calls.filter((c) => c.token === token && c.seq > after),
    async submitConnect(team, user, fields) {
      const before = mark();
      const values = {
        url: { url: { type: 'plain_text_input', value: fields.url } },
        client_id: { client_id: { type: 'plain_text_input', value: fields.clientId } },
        client_secret: { client_secret: { type: 'plain_text_input', value: fields.clientSecret } },
        ca_pem: { ca_pem: { type: 'plain_text_input', value: fields.ca ?? null } },
      };
      const res = await viewSubmission(
        s.base,
        SIGNING_SECRET,
        viewSubmissionPayload({ user: { id: user, team_id: team }, team, callbackId: 'voipnow.connect', values, viewId: `V-${team}` }),
      );
      return { res, outcome: () => s.api.waitFor('views.update', (c) => c.seq > before && c.body.view_id === `V-${team}`, 8000) };
    },
    async linkThroughConsent(team, user, pbx, voipnowUser, extension) {
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
    },
    async close() {
      await s.close();
      await pbxB.close();
    },
  };
}
