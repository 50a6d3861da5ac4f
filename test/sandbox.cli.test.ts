/**
 * `npm run sandbox` as a user runs it (a child process): --help, a bad flag, a busy port,
 * and --tls, whose generated certificate callops trusts with VOIPNOW_CA_FILE (the adapter's
 * clear error without it).
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UapiHttp } from '../src/uapi/http.js';
import { UapiClient, staticToken } from '../src/uapi/client.js';
import { UapiError } from '../src/uapi/errors.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { selfSignedCertificate } from '../src/sandbox/tls.js';

const MAIN = ['--import', 'tsx', 'src/sandbox/main.ts'];
const env = { PATH: process.env.PATH };

let openssl = true;
try {
  execFileSync('openssl', ['version'], { stdio: 'ignore' });
} catch {
  openssl = false;
  console.warn('sandbox.cli.test: openssl is not installed; the --tls tests are skipped.');
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function run(args: string[]) {
  return spawnSync(process.execPath, [...MAIN, ...args], { env, encoding: 'utf8', timeout: 30_000 });
}

/** Starts the CLI and resolves once it printed its URL. */
async function startCli(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [...MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited ${code}: ${out}`)));
  });
  return { child, url, output: () => out };
}

describe('npm run sandbox', () => {
  it('--help explains every option and exits 0', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const flag of ['--port N', '--host HOST', '--tls', '--tls-dir DIR', '--pickup-delay-ms MS', 'SANDBOX_PORT', 'SANDBOX_CLIENT_ID']) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('an unknown flag or a malformed port is one line and exit 2', () => {
    for (const args of [['--bogus'], ['--port', 'eighty']]) {
      const r = run(args);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^sandbox: /)]);
    }
  });

  it('a busy port is one line naming it, not a stack trace', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const port = (blocker.address() as AddressInfo).port;
    const r = run(['--port', String(port)]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([`sandbox: port ${port} on 127.0.0.1 is already in use; pick another with --port N (or SANDBOX_PORT)`]);
  });

  describe.skipIf(!openssl)('--tls', () => {
    it('serves HTTPS; its printed certificate file works as VOIPNOW_CA_FILE', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'callops-cli-tls-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const cli = await startCli(['--port', '0', '--tls', '--tls-dir', dir]);
      expect(cli.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const certFile = join(dir, 'sandbox-cert.pem');
      expect(cli.output()).toContain(`VOIPNOW_CA_FILE=${certFile}`);

      const trusted = new UapiHttp({ baseUrl: cli.url, caFile: certFile });
      cleanups.push(() => trusted.close());
      const token = await tokenFor(trusted);
      const calls = await new UapiClient(trusted, staticToken(token)).listPhoneCalls({ extension: '0003*210' });
      expect(calls.length).toBeGreaterThan(0);

      const untrusted = new UapiHttp({ baseUrl: cli.url });
      cleanups.push(() => untrusted.close());
      const err = await new UapiClient(untrusted, staticToken(token)).listPhoneCalls({ extension: '0003*210' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UapiError);
      expect((err as UapiError).sentence).toMatch(/not trusted .*VOIPNOW_CA_FILE/);
    });

    it('in-process: a hold through HTTPS reaches the sandbox with the CA file', async () => {
      const cert = selfSignedCertificate();
      cleanups.push(() => rmSync(join(cert.certFile, '..'), { recursive: true, force: true }));
      const sandbox: Sandbox = await startSandbox({ tls: cert });
      cleanups.push(() => sandbox.close());
      const http = new UapiHttp({ baseUrl: sandbox.url, caFile: cert.certFile });
      cleanups.push(() => http.close());
      const client = new UapiClient(http, staticToken(sandbox.issueToken('12').accessToken));
      await client.act({ extension: '0003*210', phoneCallId: 'b817d2618fe6f1804333' }, { action: 'OnHold', phoneCallViewId: '01' });
      expect(sandbox.requests.some((r) => r.method === 'PUT' && r.status < 300)).toBe(true);
    });
  });
});

/** A client-credentials token from the sandbox's token endpoint, over the same trusted connection. */
async function tokenFor(http: UapiHttp): Promise<string> {
  const { z } = await import('zod');
  const r = await http.request({
    method: 'POST',
    path: '/oauth/token.php',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'callops-demo', client_secret: 'callops-demo-secret' }),
    schema: z.object({ access_token: z.string() }).passthrough(),
  });
  return r.data!.access_token;
}
