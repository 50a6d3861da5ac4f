/**
 * `npm run console` as a user runs it: a real process, no configuration, the
 * sandbox started in-process.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../src/sandbox/server.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VOIPNOW_') && !k.startsWith('SANDBOX_')));

async function consoleRun(args: string[], input?: string, extraEnv: Record<string, string> = {}) {
  const child = run(process.execPath, ['--import', 'tsx', 'src/console/main.ts', ...args], { cwd: root, env: { ...env, ...extraEnv }, timeout: 20_000 });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run console', () => {
  it('runs one command against the built-in sandbox and prints the call state', async () => {
    const r = await consoleRun(['hold 0003*210 b817d2618fe6f1804333']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('OK: put call b817d2618fe6f1804333 on hold.');
    expect(r.stdout).toMatch(/view 01 {2}0003\*210 {2}on hold/);
    expect(r.stdout).toMatch(/0003\*210 -> 0003\*024 {2}caller id John Doe <3333>/);
    expect(r.stdout).toMatch(/on hold since \d{4}-\d\d-\d\dT[\d:]+[+-]\d\d:\d\d, held by this side/);
  });

  it('exits non-zero with one clear line on bad input, no stack trace', async () => {
    const r = await consoleRun(['unpark 0003*210 b817d2618fe6f1804333 to 0003*024 as John']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/`John` is not a caller ID/);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('reads commands at an interactive prompt until quit', async () => {
    const r = await consoleRun([], 'list 0003*210\nresume b817d2618fe6f1804333\nquit\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('talking to the built-in sandbox PBX');
    expect(r.stdout).toContain('2 live calls on 0003*210');
    expect(r.stdout).toContain('OK: took call b817d2618fe6f1804333 off hold.');
  });

  it('talks to the server named by VOIPNOW_URL with VOIPNOW_TOKEN', async () => {
    const pbx = await startSandbox();
    try {
      const token = pbx.issueToken('13').accessToken;
      const r = await consoleRun(['list 0003*024'], undefined, { VOIPNOW_URL: pbx.url, VOIPNOW_TOKEN: token });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('2 live calls on 0003*024');
      expect(pbx.requests.map((q) => q.userId)).toEqual(['13']);
      const bad = await consoleRun(['list 0003*024'], undefined, { VOIPNOW_URL: pbx.url, VOIPNOW_TOKEN: 'wrong' });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/not authorized/);
      expect(bad.stderr).not.toContain('wrong');
    } finally {
      await pbx.close();
    }
  });
});
