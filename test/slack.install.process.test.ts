/**
 * Distribution mode through the real entry point (src/main.ts, what `npm start` runs) as a
 * child process, with the recording Slack API answering `oauth.v2.access`: "Add to Slack"
 * stores the installation in the process's own SQLite store, an event from that workspace
 * is answered with its token, and after `app_uninstalled` that token is never sent again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { BOT_SCOPES } from '../src/slack/workspaces/bot-scopes.js';
import { freePort } from './helpers/free-port.js';
import { startSlackApi, type SlackApi } from './helpers/slack-api.js';
import { eventCallback } from './helpers/signed.js';
import { waitUntil } from './helpers/wait.js';

const SECRET = 'install-process-signing-secret';

describe('npm start in distribution mode', () => {
  let sandbox: Sandbox;
  let api: SlackApi;
  let dir: string;
  let child: ChildProcess | undefined;
  let stderr = '';

  beforeAll(async () => {
    sandbox = await startSandbox({});
    api = await startSlackApi({ waitTimeoutMs: 20_000 });
    dir = mkdtempSync(join(tmpdir(), 'callops-install-'));
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await api.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs a workspace, answers it with its own token, and forgets it on uninstall', async () => {
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
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const root = fileURLToPath(new URL('..', import.meta.url));
    const env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SLACK_|VOIPNOW_|PORT$|PUBLIC_URL$|DATABASE_URL$|DATA_DIR$|TOKEN_ENCRYPTION_KEY$)/.test(k))),
      SLACK_CLIENT_ID: '111.222',
      SLACK_CLIENT_SECRET: 'process-client-secret',
      SLACK_STATE_SECRET: 'process-state-secret-0123456789',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: api.url,
      PORT: String(port),
      PUBLIC_URL: base,
      VOIPNOW_URL: sandbox.url,
      VOIPNOW_CLIENT_ID: 'callops-demo',
      VOIPNOW_CLIENT_SECRET: 'callops-demo-secret',
      DATA_DIR: dir,
      LOG_LEVEL: 'info',
    };
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitUntil('the app to answer /healthz', async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.status === 200, { timeoutMs: 60_000 });

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
    await waitUntil('the uninstall to be done', () => /Slack workspace uninstalled/.test(stderr), { timeoutMs: 10_000 });
    const mark = api.calls.at(-1)?.seq ?? 0;
    expect((await eventCallback(base, SECRET, { type: 'app_home_opened', user: 'U9b', channel: 'D9', tab: 'home' }, 'T9')).status).toBe(200);
    // The process is still serving, and never sent the old token again.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(api.calls.filter((c) => c.seq > mark && c.token === 'xoxb-T9-process')).toEqual([]);
    expect(stderr).not.toContain('xoxb-T9-process');
    expect(stderr).not.toContain('process-client-secret');
  }, 90_000);
});
