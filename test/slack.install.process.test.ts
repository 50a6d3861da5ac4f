/**
 * Distribution mode through the real entry point (src/main.ts, what `npm start` runs) as a
 * child process, with the recording Slack API answering `oauth.v2.access`: "Add to Slack"
 * stores the installation in the process's own SQLite store, an event from that workspace
 * is answered with its token, and after `app_uninstalled` that token is never sent again.
 */
import { describe, expect, it } from 'vitest';
import { BOT_SCOPES } from '../src/slack/workspaces/bot-scopes.js';
import { processStack } from './helpers/process-stack.js';
import { eventCallback } from './helpers/signed.js';
import { waitUntil } from './helpers/wait.js';

const SECRET = 'install-process-signing-secret';

describe('npm start in distribution mode', () => {
  const stack = processStack('callops-install-');

  it('installs a workspace, answers it with its own token, and forgets it on uninstall', async () => {
    const { api } = stack;
    api.respondWith('oauth.v2.access', {
      ok: true,
      app_id: 'A1',
      authed_user: { id: 'U-installer' },
      scope: BOT_SCOPES.join(','),
      token_type: 'bot',
      access_token: 'xoxb-T9-process',
      bot_user_id: 'UBOT-T9',
      team: { id: 'T9', name: 'Nine' },
      enterprise: null,
      is_enterprise_install: false,
    });
    const { proc, base } = await stack.start(SECRET, {
      SLACK_CLIENT_ID: '111.222',
      SLACK_CLIENT_SECRET: 'process-client-secret',
      SLACK_STATE_SECRET: 'process-state-secret-0123456789',
    });

    const start = await fetch(`${base}/slack/install`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.searchParams.get('client_id')).toBe('111.222');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${base}/slack/oauth_redirect`);
    const state = authorize.searchParams.get('state')!;
    const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0]!;
    const done = await fetch(`${base}/slack/oauth_redirect?code=the-code&state=${encodeURIComponent(state)}`, { headers: { Cookie: cookie } });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('callops is installed');

    expect((await eventCallback(base, SECRET, { type: 'app_home_opened', user: 'U9', channel: 'D9', tab: 'home' }, 'T9')).status).toBe(200);
    expect((await api.waitFor('views.publish', (c) => c.body.user_id === 'U9')).token).toBe('xoxb-T9-process');

    expect((await eventCallback(base, SECRET, { type: 'app_uninstalled' }, 'T9')).status).toBe(200);
    await waitUntil('the uninstall to be done', () => /Slack workspace uninstalled/.test(proc.stderr), { timeoutMs: 10_000 });
    const mark = api.calls.at(-1)?.seq ?? 0;
    expect((await eventCallback(base, SECRET, { type: 'app_home_opened', user: 'U9b', channel: 'D9', tab: 'home' }, 'T9')).status).toBe(200);
    // The process is still serving, and never sent the old token again.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(api.calls.filter((c) => c.seq > mark && c.token === 'xoxb-T9-process')).toEqual([]);
    expect(proc.stderr).not.toContain('xoxb-T9-process');
    expect(proc.stderr).not.toContain('process-client-secret');
  }, 90_000);
});
