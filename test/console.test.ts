/**
 * `callops` (the console) as a user or a script runs it: a real process
 * started through the package's bin (bin/callops.mjs), no configuration, the
 * sandbox started in-process; or against a sandbox named by VOIPNOW_URL.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../src/sandbox/server.js';
import { waitUntil } from './helpers/wait.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = 'bin/callops.mjs';
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VOIPNOW_') && !k.startsWith('SANDBOX_') && k !== 'NO_COLOR' && k !== 'FORCE_COLOR'));
const CALL = 'b817d2618fe6f1804333';

async function callops(args: string[], input?: string, extraEnv: Record<string, string> = {}) {
  const child = run(process.execPath, [BIN, ...args], { cwd: root, env: { ...env, TZ: 'UTC', ...extraEnv }, timeout: 30_000 });
  child.child.stdin!.end(input ?? '');
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const lines = (text: string) => text.trim().split('\n').filter(Boolean);

describe('callops, one command', () => {
  it('runs one command against the built-in sandbox and prints the call state, times in local time and "ago"', async () => {
    const r = await callops(['hold', '0003*210', CALL]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`OK: put call ${CALL} on hold.`);
    expect(r.stdout).toMatch(/view 01 {2}0003\*210 {2}on hold/);
    expect(r.stdout).toMatch(/0003\*210 -> 0003\*024 {2}caller id John Doe <3333>/);
    expect(r.stdout).toMatch(/on hold since \d\d:\d\d:\d\d \(just now\), held by this side/);
    expect(r.stdout).toMatch(/answered \d\d:\d\d:\d\d \(\d+ min ago\)/);
    expect(r.stdout).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });

  it('takes the whole command as one argument too, as npm run console -- "..." passes it', async () => {
    const r = await callops([`resume 0003*210 ${CALL}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`OK: took call ${CALL} off hold.`);
  });

  it('bad input: exit 2 (usage) with one clear line, no stack trace, and nothing started', async () => {
    const r = await callops(['unpark', '0003*210', CALL, 'to', '0003*024', 'as', 'John']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/`John` is not a caller ID/);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(r.stdout).toBe('');
    const slackOnly = await callops(['link']);
    expect(slackOnly.code).toBe(2);
    expect(slackOnly.stderr).toContain('`link` works in Slack only');
  });

  it('a failure from VoipNow exits 1 with its sentence', async () => {
    const r = await callops(['hold', '0003*210', 'ffffffffffffffffffff']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Call `ffffffffffffffffffff` is not live/);
  });

  it('--help, --version, and --help for every command, without starting anything', async () => {
    const help = await callops(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: callops \[--json\]/);
    expect(help.stdout).toContain('Exit codes: 0 success, 1 failure, 2 usage error, 4 not authorised, 130 interrupted.');
    for (const cmd of ['hold', 'resume', 'park', 'unpark', 'whisper', 'listen', 'barge', 'transfer', 'hangup']) expect(help.stdout).toContain(`  ${cmd} <extension>`);
    const version = await callops(['--version']);
    expect(version.stdout.trim()).toBe(`callops ${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}`);
    const hold = await callops(['hold', '--help']);
    expect(hold.code).toBe(0);
    expect(hold.stdout).toMatch(/^hold <extension> \[callId\] \[view <id>\]\n {2}put the call on hold\./);
    const events = await callops(['events', '-h']);
    expect(events.stdout).toContain('events add <extension> <type> url <url>');
  });

  it('--json: one machine-readable object per command, for results and failures alike', async () => {
    const ok = await callops(['--json', 'list', '0003*210']);
    expect(ok.code).toBe(0);
    const data = JSON.parse(ok.stdout);
    expect(data).toMatchObject({ ok: true, command: 'list 0003*210', result: { kind: 'calls', extension: '0003*210' } });
    expect(data.result.calls.map((c: { id: string }) => c.id)).toContain(CALL);
    expect(data.result.calls[0].answered).toMatch(/^\d{4}-\d\d-\d\dT/);
    const bad = await callops(['frobnicate', '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toEqual({ ok: false, command: 'frobnicate', error: { code: 'usage', message: expect.stringContaining('`frobnicate` is not a command'), exit: 2 } });
    const gone = await callops(['--json', 'hold', '0003*210', 'ffffffffffffffffffff']);
    expect(JSON.parse(gone.stdout).error).toMatchObject({ code: 'call_gone', exit: 1 });
    expect(JSON.parse((await callops(['--version', '--json'])).stdout)).toEqual({ name: 'callops', version: expect.any(String) });
    expect(JSON.parse((await callops(['hold', '--help', '--json'])).stdout)).toMatchObject({ ok: true, help: expect.stringContaining('put the call on hold') });
  });

  it('colours only on request when piped: --color forces them, NO_COLOR and pipes keep text plain', async () => {
    const plain = await callops(['frobnicate']);
    expect(plain.stderr).not.toContain('\u001b[');
    const forced = await callops(['frobnicate', '--color']);
    expect(forced.stderr.startsWith('\u001b[31m`frobnicate` is not a command')).toBe(true);
    expect(forced.stderr.endsWith('\u001b[39m\n')).toBe(true);
    const off = await callops(['frobnicate', '--no-color'], undefined, { NO_COLOR: '1' });
    expect(off.stderr).not.toContain('\u001b[');
  });
});

describe('callops, a batch on standard input', () => {
  it('runs every line; exits 0 when all succeed', async () => {
    const r = await callops([], `list 0003*210\n# a comment\n\nresume ${CALL}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 live calls on 0003*210');
    expect(r.stdout).toContain(`OK: took call ${CALL} off hold.`);
    expect(r.stderr).toBe('');
  });

  it('exits non-zero when any line failed, naming the line, and still runs the others', async () => {
    const r = await callops([], `list 0003*210\nhold 0003*210 ffffffffffffffffffff\nfrobnicate\nhold 0003*210 ${CALL}\n`);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^line 2: Call `ffffffffffffffffffff` is not live/), expect.stringMatching(/^line 3: `frobnicate` is not a command/)]);
    expect(r.stdout).toContain(`OK: put call ${CALL} on hold.`);
  });

  it('--json gives one object per line', async () => {
    const r = await callops(['--json'], 'list 0003*210\nfrobnicate\n');
    expect(r.code).toBe(2);
    expect(lines(r.stdout).map((l) => JSON.parse(l).ok)).toEqual([true, false]);
  });
});

describe('callops against VOIPNOW_URL', () => {
  it('talks to the server named by VOIPNOW_URL with VOIPNOW_TOKEN; a refused token exits 4 (not authorised)', async () => {
    const pbx = await startSandbox();
    try {
      const token = pbx.issueToken('13').accessToken;
      const r = await callops(['list', '0003*024'], undefined, { VOIPNOW_URL: pbx.url, VOIPNOW_TOKEN: token });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('2 live calls on 0003*024');
      expect(pbx.requests.map((q) => q.userId)).toEqual(['13']);
      const bad = await callops(['list', '0003*024'], undefined, { VOIPNOW_URL: pbx.url, VOIPNOW_TOKEN: 'wrong' });
      expect(bad.code).toBe(4);
      expect(bad.stderr).toMatch(/not authorized/);
      expect(bad.stderr).not.toContain('wrong');
    } finally {
      await pbx.close();
    }
  });

  it('Ctrl-C (SIGINT) while VoipNow does not answer exits 130', async () => {
    const pbx = await startSandbox({ faults: { hang: true } });
    try {
      const token = pbx.issueToken('12').accessToken;
      const child = spawn(process.execPath, [BIN, 'list', '0003*210'], { cwd: root, env: { ...env, VOIPNOW_URL: pbx.url, VOIPNOW_TOKEN: token }, stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await waitUntil('the console to send its request', () => pbx.requests.length > 0);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
    } finally {
      await pbx.close();
    }
  });
});

describe('the bin entry', () => {
  it('package.json names bin/callops.mjs as `callops`, a node script', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.bin).toEqual({ callops: 'bin/callops.mjs' });
    expect(readFileSync(new URL('../bin/callops.mjs', import.meta.url), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('`npx callops` in the repository runs it (--no: never fetched from a registry)', async () => {
    const r = await run('npm', ['exec', '--no', '--', 'callops', '--version'], { cwd: root, env, timeout: 60_000 });
    expect(r.stdout.trim()).toMatch(/^callops \d+\.\d+\.\d+$/);
  });
});
