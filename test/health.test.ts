/**
 * Readiness (`GET /readyz`) and the start-up token check, through the public surface:
 * HTTP requests to the real Bolt app, and `npm start`'s entry point as a child process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers/stack.js';
import { waitUntil } from './helpers/wait.js';
import { startSlackApi } from './helpers/slack-api.js';
import { freshSchema, pgAdmin, pgRequired, pgUnavailable, pgUrl } from './helpers/pg.js';
import { PostgresStore, TokenCipher } from '../src/store/index.js';

interface Readyz {
  status: number;
  body: { ready: boolean; failed: string[]; warnings?: Record<string, string> };
}

async function readyz(stack: Stack): Promise<Readyz> {
  const res = await fetch(`${stack.base}/readyz`);
  return { status: res.status, body: (await res.json()) as Readyz['body'] };
}

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('GET /readyz', () => {
  it('is 200 when Slack auth was checked, the store answers and the PBX is reachable', async () => {
    stack = await startStack();
    const r = await readyz(stack);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ready: true, failed: [] });
    expect(stack.api.callsTo('auth.test')).toHaveLength(1);
  });

  it('in production without Sign in with Slack, stays ready and warns that whoever receives a link can complete it', async () => {
    stack = await startStack({ production: true });
    const r = await readyz(stack);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ready: true, failed: [], warnings: { sign_in_with_slack: expect.stringContaining('can be completed by whoever receives the link') } });
    expect(r.body.warnings?.sign_in_with_slack).toMatch(/SLACK_CLIENT_ID and SLACK_CLIENT_SECRET \(user scope openid/);
    await stack.close();
    // Configured, or in development: nothing to warn about.
    stack = await startStack({ production: true, signInWithSlack: true });
    expect((await readyz(stack)).body).toEqual({ ready: true, failed: [] });
  });

  it('is 503 naming the store when it cannot answer, while /healthz stays 200', async () => {
    stack = await startStack();
    await stack.store.close();
    const r = await readyz(stack);
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ ready: false, failed: ['store'] });
    expect((await stack.slack.readiness.report()).checks.store).toEqual({ ok: false, reason: expect.stringMatching(/closed/i) });
    expect((await fetch(`${stack.base}/healthz`)).status).toBe(200);
  });

  it('is 503 naming VoipNow when the PBX does not answer', async () => {
    stack = await startStack();
    await stack.sandbox.close();
    const r = await readyz(stack);
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ ready: false, failed: ['pbx'] });
    expect((await stack.slack.readiness.report()).checks.pbx).toEqual({ ok: false, reason: expect.stringMatching(/VoipNow at http:\/\/127\.0\.0\.1:\d+ is unreachable/) });
  });

  it('in Socket Mode, reports the connection: ready while connected, not once it is closed', async () => {
    stack = await startStack({ socketMode: true });
    const connected = await stack.slack.readiness.report();
    expect(connected).toEqual({ ready: true, checks: expect.objectContaining({ socket_mode: { ok: true } }) });
    await stack.slack.stop(); // closes the Socket Mode connection, as at shutdown
    let report = await stack.slack.readiness.report();
    for (const deadline = Date.now() + 10_000; report.ready && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 20));
      report = await stack.slack.readiness.report();
    }
    expect(report.ready).toBe(false);
    expect(report.checks.socket_mode).toEqual({ ok: false, reason: 'Socket Mode is not connected to Slack' });
  });

  describe.skipIf(!pgUrl && !pgRequired)(`with PostgreSQL${pgUrl ? '' : ` (skipped: ${pgUnavailable})`}`, () => {
    it('turns 503 when PostgreSQL loses the schema and 200 again when it returns', async () => {
      const schema = freshSchema();
      const store = new PostgresStore({ connectionString: pgUrl!, cipher: TokenCipher.fromKey(randomBytes(32).toString('hex')), schema, maxConnections: 2 });
      try {
        await store.init();
        stack = await startStack({ store });
        expect((await readyz(stack)).status).toBe(200);

        await pgAdmin(`ALTER SCHEMA "${schema}" RENAME TO "${schema}_away"`);
        const down = await readyz(stack);
        expect(down.status).toBe(503);
        expect(down.body).toEqual({ ready: false, failed: ['store'] });
        expect((await stack.slack.readiness.report()).checks.store).toEqual({ ok: false, reason: expect.stringMatching(/schema_version/) });

        await pgAdmin(`ALTER SCHEMA "${schema}_away" RENAME TO "${schema}"`);
        const up = await readyz(stack);
        expect(up.status).toBe(200);
        expect(up.body.ready).toBe(true);
      } finally {
        await stack?.close();
        stack = undefined;
        await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}_away" CASCADE`);
      }
    });
  });
});

describe('start-up in production', () => {
  it('logs that linking without Sign in with Slack can be completed by whoever receives the link', async () => {
    const api = await startSlackApi();
    const dataDir = mkdtempSync(join(tmpdir(), 'callops-start-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH,
        SLACK_BOT_TOKEN: 'xoxb-accepted',
        SLACK_SIGNING_SECRET: 'secret',
        SLACK_API_URL: api.url,
        PORT: '0',
        DATA_DIR: dataDir,
        NODE_ENV: 'production',
        VOIPNOW_URL: 'http://127.0.0.1:9',
        VOIPNOW_CLIENT_ID: 'callops',
        VOIPNOW_CLIENT_SECRET: 'secret',
        TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await waitUntil('the start log line', () => /running: Slack HTTP/.test(out), 45_000);
      const warning = out.split('\n').find((l) => l.includes('Sign in with Slack is not configured'));
      expect(warning).toBeDefined();
      expect(JSON.parse(warning!)).toMatchObject({ level: 'warn', msg: expect.stringContaining('can be completed by whoever receives the link') });
    } finally {
      child.kill('SIGTERM');
      await exited;
      await api.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('start-up with a token Slack refuses', () => {
  it('stops with one line naming SLACK_BOT_TOKEN and exit code 1, no stack trace', async () => {
    const api = await startSlackApi();
    api.respondWith('auth.test', { ok: false, error: 'invalid_auth' });
    const dataDir = mkdtempSync(join(tmpdir(), 'callops-start-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: {
          PATH: process.env.PATH,
          SLACK_BOT_TOKEN: 'xoxb-refused',
          SLACK_SIGNING_SECRET: 'secret',
          SLACK_API_URL: api.url,
          PORT: '0',
          SANDBOX_PORT: '0',
          DATA_DIR: dataDir,
          LOG_LEVEL: 'info',
          NODE_ENV: 'production',
          // Production starts only with a PBX and a key configured; nothing listens at this one, and nothing needs to.
          VOIPNOW_URL: 'http://127.0.0.1:9',
          VOIPNOW_CLIENT_ID: 'callops',
          VOIPNOW_CLIENT_SECRET: 'secret',
          TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      const failure = out.split('\n').filter((l) => /failed to start/.test(l));
      expect(failure).toEqual([expect.stringMatching(/^callops failed to start: Slack refused SLACK_BOT_TOKEN \(invalid_auth\)/)]);
      expect(out).not.toMatch(/^\s+at /m);
      expect(out).not.toMatch(/running/);
      expect(out).not.toContain('xoxb-refused');
      expect(api.callsTo('auth.test').length).toBeGreaterThanOrEqual(1);
    } finally {
      await api.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
