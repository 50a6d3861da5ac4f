/**
 * Sandbox PBX, OAuth 2.0: token grants, the consent page, and the 401 answer
 * of /uapi without a valid token.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';

let sb: Sandbox;
const CLIENT = { client_id: 'callops-demo', client_secret: 'callops-demo-secret' };
const REDIRECT = 'http://localhost:3000/oauth/callback';

beforeAll(async () => {
  sb = await startSandbox({ pickupDelayMs: 50 });
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

async function tokenRequest(fields: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${sb.url}/oauth/token.php`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, json: (await res.json()) as any, headers: res.headers };
}

async function listAs(accessToken: string | undefined, path = '/uapi/phoneCalls/@me/0003*210') {
  const headers: Record<string, string> = accessToken === undefined ? {} : { Authorization: `Bearer ${accessToken}` };
  const res = await fetch(sb.url + path, { headers });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const DENIED = { error: { code: 'access_denied', message: 'You are not authorized to use this request.' } };

/** Walks the consent page: GET it, submit its form as `userId` with `decision`. */
async function consent(userId: string, decision: 'permit' | 'forbid', state = 'abcdefghijklmnop1234') {
  const q = new URLSearchParams({ response_type: 'code', client_id: CLIENT.client_id, redirect_uri: REDIRECT, state });
  const page = await fetch(`${sb.url}/oauth/authorize.php?${q}`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toContain('text/html');
  const html = await page.text();
  expect(html).toContain('<form method="post" action="/oauth/authorize.php">');
  expect(html).toContain('value="13"');
  // Post back the hidden fields exactly as the page carries them.
  const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], (m[2] ?? '').replace(/&amp;/g, '&')]));
  expect(hidden).toEqual({ response_type: 'code', client_id: CLIENT.client_id, redirect_uri: REDIRECT, state });
  const res = await fetch(`${sb.url}/oauth/authorize.php`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...hidden, user_id: userId, decision }).toString(),
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '');
}

describe('token endpoint', () => {
  it('client_credentials (form-urlencoded) → a Bearer token acting as user 12', async () => {
    const r = await tokenRequest({ grant_type: 'client_credentials', ...CLIENT, type: 'unifiedapi', redirect_uri: 'https://x/ouath/token.php' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, refresh_token: expect.any(String) });
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect((await listAs(r.json.access_token)).status).toBe(200);
    expect(sb.requests.at(-1)?.userId).toBe('12');
  });

  it('client_credentials as multipart/form-data and with HTTP Basic client authentication', async () => {
    const form = new FormData();
    form.set('grant_type', 'client_credentials');
    form.set('client_id', CLIENT.client_id);
    form.set('client_secret', CLIENT.client_secret);
    form.set('state', '0');
    const multipart = await fetch(`${sb.url}/oauth/token.php`, { method: 'POST', body: form });
    expect(multipart.status).toBe(200);
    expect(((await multipart.json()) as any).token_type).toBe('Bearer');

    const basic = Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64');
    const r = await tokenRequest({ grant_type: 'client_credentials' }, { Authorization: `Basic ${basic}` });
    expect(r.status).toBe(200);
  });

  it('wrong secret → 401 invalid_client; bad grants → 400', async () => {
    const bad = await tokenRequest({ grant_type: 'client_credentials', client_id: CLIENT.client_id, client_secret: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.json).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
    const unknown = await tokenRequest({ grant_type: 'client_credentials', client_id: 'other', client_secret: 'x' });
    expect(unknown.json.error).toBe('invalid_client');
    expect((await tokenRequest({ grant_type: 'password', ...CLIENT })).json.error).toBe('unsupported_grant_type');
    const missing = await tokenRequest({ ...CLIENT });
    expect([missing.status, missing.json.error]).toEqual([400, 'invalid_request']);
    const noCode = await tokenRequest({ grant_type: 'authorization_code', ...CLIENT });
    expect([noCode.status, noCode.json.error]).toEqual([400, 'invalid_request']);
    const badCode = await tokenRequest({ grant_type: 'authorization_code', code: 'nope', redirect_uri: REDIRECT, ...CLIENT });
    expect([badCode.status, badCode.json.error]).toEqual([400, 'invalid_grant']);
  });

  it('honours tokenTtlSeconds and the configured client', async () => {
    const other = await startSandbox({ clientId: 'app', clientSecret: 's3cret', tokenTtlSeconds: 60 });
    try {
      const res = await fetch(`${other.url}/oauth/token.php`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'app', client_secret: 's3cret' }),
      });
      expect(((await res.json()) as any).expires_in).toBe(60);
    } finally {
      await other.close();
    }
  });
});

describe('authorization_code through the consent page', () => {
  it('permit → code and state on redirect_uri → token acting as the chosen user; codes are single use', async () => {
    const loc = await consent('13', 'permit');
    expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT);
    expect(loc.searchParams.get('state')).toBe('abcdefghijklmnop1234');
    const code = loc.searchParams.get('code') ?? '';
    expect(code).not.toBe('');

    const wrongUri = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: 'http://localhost:3000/other', ...CLIENT });
    expect(wrongUri.json.error).toBe('invalid_grant');

    // A code is spent once presented; get a fresh one for the real exchange.
    const fresh = (await consent('13', 'permit')).searchParams.get('code') ?? '';
    const r = await tokenRequest({ grant_type: 'authorization_code', code: fresh, redirect_uri: REDIRECT, ...CLIENT });
    expect(r.status).toBe(200);
    const jane = r.json.access_token as string;
    expect((await listAs(jane, '/uapi/phoneCalls/@me/0003*024')).status).toBe(200);
    expect((await listAs(jane, '/uapi/phoneCalls/@me/0003*210')).json).toEqual(DENIED);

    const again = await tokenRequest({ grant_type: 'authorization_code', code: fresh, redirect_uri: REDIRECT, ...CLIENT });
    expect([again.status, again.json.error]).toEqual([400, 'invalid_grant']);
  });

  it('forbid → error=access_denied with the state', async () => {
    const loc = await consent('12', 'forbid', 'state-of-the-art-42');
    expect(loc.searchParams.get('error')).toBe('access_denied');
    expect(loc.searchParams.get('state')).toBe('state-of-the-art-42');
    expect(loc.searchParams.has('code')).toBe(false);
  });

  it('unknown client_id or bad redirect_uri → 400 page; other response_type → redirected error', async () => {
    const unknown = await fetch(`${sb.url}/oauth/authorize.php?response_type=code&client_id=nobody&redirect_uri=${encodeURIComponent(REDIRECT)}&state=x`);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('Unknown application');
    const badUri = await fetch(`${sb.url}/oauth/authorize.php?response_type=code&client_id=callops-demo&redirect_uri=javascript:alert(1)`);
    expect(badUri.status).toBe(400);
    const token = await fetch(`${sb.url}/oauth/authorize.php?response_type=token&client_id=callops-demo&redirect_uri=${encodeURIComponent(REDIRECT)}&state=s`, { redirect: 'manual' });
    expect(token.status).toBe(302);
    expect(new URL(token.headers.get('location') ?? '').searchParams.get('error')).toBe('unsupported_response_type');
  });
});

describe('refresh_token', () => {
  it('rotates: the new token works, the old refresh token does not', async () => {
    const first = (await tokenRequest({ grant_type: 'client_credentials', ...CLIENT })).json;
    const r = await tokenRequest({ grant_type: 'refresh_token', refresh_token: first.refresh_token, ...CLIENT });
    expect(r.status).toBe(200);
    expect(r.json.access_token).not.toBe(first.access_token);
    expect(r.json.refresh_token).not.toBe(first.refresh_token);
    expect((await listAs(r.json.access_token)).status).toBe(200);
    const reuse = await tokenRequest({ grant_type: 'refresh_token', refresh_token: first.refresh_token, ...CLIENT });
    expect([reuse.status, reuse.json.error]).toEqual([400, 'invalid_grant']);
    const badSecret = await tokenRequest({ grant_type: 'refresh_token', refresh_token: r.json.refresh_token, client_id: CLIENT.client_id, client_secret: 'x' });
    expect(badSecret.status).toBe(401);
  });
});

describe('/uapi without a valid token', () => {
  it('no token, a malformed header, an unknown token → 401 access_denied', async () => {
    const variants: Record<string, string>[] = [{}, { Authorization: 'Basic Zm9vOmJhcg==' }, { Authorization: 'Bearer not-a-token' }, { Authorization: 'Bearer' }];
    for (const headers of variants) {
      const res = await fetch(`${sb.url}/uapi/phoneCalls/@me/0003*210`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(DENIED);
    }
    expect(sb.requests.at(-1)?.userId).toBeNull();
  });

  it('an expired token → 401 access_denied', async () => {
    const { accessToken, expiresIn } = sb.issueToken('12', 0.1);
    expect(expiresIn).toBe(0.1);
    expect((await listAs(accessToken)).status).toBe(200);
    // Move the clock past the expiry instead of sleeping through it (only Date is faked; timers and sockets run).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 150 });
    try {
      expect(await listAs(accessToken)).toEqual({ status: 401, json: DENIED });
    } finally {
      vi.useRealTimers();
    }
  });

  it('401 also for unknown /uapi routes and the /unifiedapi alias', async () => {
    expect((await listAs(undefined, '/uapi/cdr/@me')).status).toBe(401);
    expect((await listAs(undefined, '/unifiedapi/phoneCalls/@me/0003*210')).status).toBe(401);
  });

  it('the token is never written to the request log', async () => {
    const lines: string[] = [];
    const logged = await startSandbox({ log: (l) => lines.push(l) });
    try {
      const { accessToken } = logged.issueToken('12');
      await fetch(`${logged.url}/uapi/phoneCalls/@me/0003*210?x=1`, { headers: { Authorization: `Bearer ${accessToken}` } });
      expect(lines.some((l) => l.includes('/uapi/phoneCalls/@me/0003*210') && l.includes('200'))).toBe(true);
      expect(lines.join('\n')).not.toContain(accessToken);
    } finally {
      await logged.close();
    }
  });
});
