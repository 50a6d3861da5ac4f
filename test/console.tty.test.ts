/**
 * The console at a terminal: a real process on a pseudo-terminal (util-linux
 * `script`), typed at key by key, each key sent once the screen shows the
 * previous one. Tab completion of commands, extensions and live call ids;
 * history kept between runs; the spinner while VoipNow is slow; colours.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../src/sandbox/server.js';
import { waitUntil } from './helpers/wait.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
if (!hasScript) console.warn('console.tty tests skipped: util-linux `script` (a pseudo-terminal) is not installed');
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VOIPNOW_') && !k.startsWith('SANDBOX_') && k !== 'NO_COLOR'));
const CALL = 'b817d2618fe6f1804333';

let dataDir: string;
const running: ChildProcessWithoutNullStreams[] = [];
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'callops-console-'));
});
afterEach(() => {
  for (const c of running.splice(0)) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

interface Terminal {
  /** Everything the terminal showed since the last `expect`. */
  readonly screen: string;
  type(keys: string): void;
  /** Waits until the screen (since the last expect) matches, then starts a new stretch. */
  expect(re: RegExp): Promise<string>;
  exited: Promise<number | null>;
}

function terminal(args: string[], extraEnv: Record<string, string> = {}): Terminal {
  const command = ['node', 'bin/callops.mjs', ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: root, env: { ...env, TERM: 'xterm', TZ: 'UTC', DATA_DIR: dataDir, ...extraEnv } });
  running.push(child);
  let all = '';
  let from = 0;
  child.stdout.on('data', (d: Buffer) => {
    all += d.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    get screen() {
      return all.slice(from);
    },
    type: (keys) => child.stdin.write(keys),
    async expect(re) {
      await waitUntil(`the terminal to show ${re}`, () => re.test(all.slice(from))).catch((err: Error) => {
        throw new Error(`${err.message}; it shows: ${JSON.stringify(all.slice(from))}`);
      });
      const seen = all.slice(from);
      from = all.length;
      return seen;
    },
    exited,
  };
}

describe.skipIf(!hasScript)('callops at a terminal', () => {
  it('Tab completes commands, then the extensions and live call ids of the user', async () => {
    const t = terminal([]);
    await t.expect(/callops> /);
    t.type('hol');
    await t.expect(/hol/);
    t.type('\t');
    await t.expect(/d $/); // readline writes only what completes the word: hol + "d "
    t.type('0003*2');
    await t.expect(/0003\*2/);
    t.type('\t');
    await t.expect(/10 $/);
    t.type('b81');
    await t.expect(/b81/);
    t.type('\t');
    await t.expect(new RegExp(`${CALL.slice(3)} $`));
    t.type('\r');
    await t.expect(new RegExp(`OK: put call ${CALL} on hold\\.[\\s\\S]*callops> `));
    t.type('quit\r');
    expect(await t.exited).toBe(0);
  });

  it('keeps the history between runs in DATA_DIR/console_history', async () => {
    const first = terminal([]);
    await first.expect(/callops> /);
    first.type('list 0003*210\r');
    await first.expect(/2 live calls on 0003\*210[\s\S]*callops> /);
    first.type('quit\r');
    expect(await first.exited).toBe(0);
    expect(readFileSync(join(dataDir, 'console_history'), 'utf8')).toBe('list 0003*210\n');

    const second = terminal([]);
    await second.expect(/callops> /);
    second.type('\u001b[A'); // arrow up: the last command of the previous run
    await second.expect(/list 0003\*210/);
    second.type('\r');
    await second.expect(/2 live calls on 0003\*210[\s\S]*callops> /);
    second.type('\u0004'); // Ctrl-D leaves
    expect(await second.exited).toBe(0);
  });

  it('shows a spinner while VoipNow is slow, then erases it for the answer', async () => {
    const pbx = await startSandbox({ faults: { latencyMs: 1500 } });
    try {
      const t = terminal(['list', '0003*210'], { VOIPNOW_URL: pbx.url, VOIPNOW_TOKEN: pbx.issueToken('12').accessToken });
      const screen = await t.expect(/2 live calls on 0003\*210/);
      expect(screen).toMatch(/\r[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] waiting for VoipNow…/);
      expect(screen).toContain('\r\u001b[2K');
      expect(await t.exited).toBe(0);
    } finally {
      await pbx.close();
    }
  });

  it('uses colours on a terminal, and none with NO_COLOR', async () => {
    const coloured = terminal(['frobnicate']);
    const screen0 = await coloured.expect(/`frobnicate` is not a command/);
    expect(screen0).toContain('\u001b[31m`frobnicate` is not a command');
    expect(await coloured.exited).toBe(2);
    const plain = terminal(['frobnicate'], { NO_COLOR: '1' });
    const screen = await plain.expect(/`frobnicate` is not a command[^\n]*\n/);
    expect(screen).not.toContain('\u001b[31m');
    expect(await plain.exited).toBe(2);
  });

  it('Ctrl-C at the prompt exits 130', async () => {
    const t = terminal([]);
    await t.expect(/callops> /);
    t.type('\u0003');
    expect(await t.exited).toBe(130);
  });
});
