/**
 * Linking cannot be hijacked: the `/call link` URL opens a callops page naming
 * the Slack user being linked; with Sign in with Slack configured, a link
 * completed under another Slack identity stores nothing and says why, and the
 * matching identity links. Each step's state is single use and good for that
 * step only, so no step can be skipped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { slashCommand } from './helpers/signed.js';

let s: Stack | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

type Block = { elements?: { action_id?: string; url?: string }[] };

/** `/call link` as user, returning the button's URL re-pointed at the local receiver. */
async function linkUrl(stack: Stack, user: string): Promise<URL> {
  const res = await slashCommand(stack.base, SIGNING_SECRET, { text: 'link 0003*210', user_id: user, response_url: stack.api.responseUrl(`/link/${user}`) });
  const blocks = (res.json as { blocks: Block[] }).blocks;
  const url = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'link.open')!.url!;
  const u = new URL(url);
  expect(u.origin).toBe('http://callops.test');
  return new URL(u.pathname + u.search, stack.base);
}

/** A page of ours: follow a public URL (http://callops.test/...) on the local receiver. */
const local = (stack: Stack, publicUrl: string) => {
  const u = new URL(publicUrl);
  return new URL(u.pathname + u.search, stack.base);
};

function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&#38;/g, '&'));
}

/** Completes VoipNow's consent (the sandbox page) as VoipNow user `voipnowUser`; returns our callback URL. */
async function consent(stack: Stack, authorizeUrl: string, voipnowUser: string): Promise<string> {
  const u = new URL(authorizeUrl);
  expect(u.pathname).toBe('/oauth/authorize.php');
  const form = new URLSearchParams({ ...Object.fromEntries(u.searchParams), decision: 'permit', user_id: voipnowUser });
  const res = await fetch(new URL('/oauth/authorize.php', stack.sandbox.url), { method: 'POST', body: form, redirect: 'manual' });
  expect(res.status).toBe(302);
  return res.headers.get('location')!;
}

describe('the link page names who is being linked', () => {
  it('says which Slack user and workspace, and only then offers VoipNow', async () => {
    s = await startStack();
    const start = await linkUrl(s, 'UA');
    const page = await fetch(start);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/Slack user @ua \(UA\) in workspace T1/);
    expect(html).toMatch(/If this is not you, stop here/);
    const [next] = hrefs(html);
    expect(next).toContain('/oauth/authorize.php');
    // Single use: the same link cannot be opened twice.
    expect((await fetch(start)).status).toBe(400);
    // A step cannot be skipped: the start state is no good at VoipNow's callback.
    const skip = await fetch(new URL(`/oauth/voipnow/callback?code=x&state=${start.searchParams.get('state')}`, s.base));
    expect(skip.status).toBe(400);
    const back = await consent(s, next!, '12');
    const done = await fetch(local(s, back));
    expect(done.status).toBe(200);
    expect(await done.text()).toMatch(/linked/);
    expect((await s.store.getLinkedAccount('T1', 'UA'))?.extension).toBe('0003*210');
  });
});

describe('with Sign in with Slack', () => {
  const identity = (stack: Stack, user: string, team = 'T1') => {
    stack.api.respondWith('openid.connect.token', () => ({ ok: true, access_token: 'xoxp-siws-user', token_type: 'Bearer', id_token: 'x.y.z' }));
    stack.api.respondWith('openid.connect.userInfo', () => ({ ok: true, sub: user, 'https://slack.com/user_id': user, 'https://slack.com/team_id': team, name: user }));
  };

  async function toSlackSignIn(stack: Stack, user: string): Promise<URL> {
    const html = await (await fetch(await linkUrl(stack, user))).text();
    expect(html).toMatch(/Sign in with Slack/);
    const authorize = new URL(hrefs(html)[0]!);
    expect(authorize.origin + authorize.pathname).toBe('https://slack.com/openid/connect/authorize');
    expect(authorize.searchParams.get('client_id')).toBe('siws-client');
    expect(authorize.searchParams.get('redirect_uri')).toBe('http://callops.test/link/slack/callback');
    // Slack sends the browser back with a code and the state.
    return new URL(`/link/slack/callback?code=slack-code&state=${authorize.searchParams.get('state')}`, stack.base);
  }

  it('a forwarded link completed under another Slack identity stores nothing and shows a clear page', async () => {
    s = await startStack({ signInWithSlack: true });
    const back = await toSlackSignIn(s, 'UA');
    identity(s, 'UB');
    const res = await fetch(back, { redirect: 'manual' });
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toMatch(/This link belongs to someone else/);
    expect(html).toMatch(/made for Slack user UA, but you signed in to Slack as UB/);
    expect(await s.store.getLinkedAccount('T1', 'UA')).toBeUndefined();
    expect(s.sandbox.requests.filter((r) => r.path === '/oauth/token.php')).toHaveLength(0);
    // The code was exchanged with our client credentials.
    const tokenCall = s.api.callsTo('openid.connect.token')[0]!;
    expect(tokenCall.body).toMatchObject({ client_id: 'siws-client', code: 'slack-code' });
    // The owner of the link is told.
    const told = await s.api.waitFor('response_url', (c) => /tried to complete your VoipNow link/.test(String(c.body.text)));
    expect(told.path).toContain('/link/UA');
    // The state is spent: retrying with the right identity does not work either.
    identity(s, 'UA');
    expect((await fetch(back, { redirect: 'manual' })).status).toBe(400);
  });

  it('another workspace with the same user id is refused too', async () => {
    s = await startStack({ signInWithSlack: true });
    const back = await toSlackSignIn(s, 'UA');
    identity(s, 'UA', 'T2');
    expect((await fetch(back, { redirect: 'manual' })).status).toBe(403);
    expect(await s.store.getLinkedAccount('T1', 'UA')).toBeUndefined();
  });

  it('the matching identity links', async () => {
    s = await startStack({ signInWithSlack: true });
    const back = await toSlackSignIn(s, 'UA');
    identity(s, 'UA');
    const res = await fetch(back, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const voipnow = res.headers.get('location')!;
    // Without Slack's sign-in the VoipNow step cannot be reached: the slack state is spent, the start one is no good.
    const cb = await consent(s, voipnow, '12');
    const done = await fetch(local(s, cb));
    expect(done.status).toBe(200);
    const account = await s.store.getLinkedAccount('T1', 'UA');
    expect(account?.extension).toBe('0003*210');
  });
});
