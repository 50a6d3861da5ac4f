/** The console's parts that need no process: flags, times, completion, colour choice, spinner. */
import { describe, expect, it } from 'vitest';
import { parseConsoleArgs } from '../src/console/args.js';
import { Completions } from '../src/console/completion.js';
import { EXIT, UsageError, exitCodeOf } from '../src/console/exit.js';
import { useColor, withSpinner } from '../src/console/style.js';
import { ago, localTime, when } from '../src/console/time.js';
import { CommandError } from '../src/calls/command.js';
import { UapiError } from '../src/uapi/errors.js';
import type { PhoneCall } from '../src/uapi/schemas.js';

describe('flags (node:util parseArgs)', () => {
  it("takes the console's own flags anywhere and leaves the command's words, --key options included", () => {
    expect(parseConsoleArgs(['hold', '0003*210', '--view', '01', '--json'])).toEqual({
      help: false,
      version: false,
      json: true,
      color: undefined,
      command: ['hold', '0003*210', '--view', '01'],
    });
    expect(parseConsoleArgs(['hold', '-h'])).toMatchObject({ help: true, command: ['hold'] });
    expect(parseConsoleArgs(['-V', '--no-color'])).toMatchObject({ version: true, color: false, command: [] });
    expect(parseConsoleArgs(['--', '--json'])).toMatchObject({ json: false, command: ['--json'] });
    expect(() => parseConsoleArgs(['--json=yes'])).toThrow(UsageError);
  });
});

describe('exit codes', () => {
  it('usage 2 for bad input, 4 for a refused token or permission, 1 for other failures', () => {
    expect(exitCodeOf(new CommandError('bad'), 'parse')).toBe(EXIT.usage);
    expect(exitCodeOf(new CommandError('no such call'), 'run')).toBe(EXIT.failure);
    expect(exitCodeOf(new UapiError({ kind: 'rejected', code: 'access_denied', status: 401 }), 'run')).toBe(EXIT.notAuthorised);
    expect(exitCodeOf(new UapiError({ kind: 'rejected', code: 'pce_access_denied', status: 400 }), 'run')).toBe(EXIT.notAuthorised);
    expect(exitCodeOf(new UapiError({ kind: 'rejected', code: 'internal_server_error', status: 500 }), 'run')).toBe(EXIT.failure);
  });
});

describe('times', () => {
  const now = new Date(2026, 10, 23, 15, 10, 0);
  it('says how long ago, in one unit', () => {
    expect(ago(new Date(now.getTime() - 3_000), now)).toBe('just now');
    expect(ago(new Date(now.getTime() - 45_000), now)).toBe('45 s ago');
    expect(ago(new Date(now.getTime() - 3 * 60_000 - 59_000), now)).toBe('3 min ago');
    expect(ago(new Date(now.getTime() - 2 * 3_600_000), now)).toBe('2 h ago');
    expect(ago(new Date(now.getTime() - 86_400_000), now)).toBe('1 day ago');
    expect(ago(new Date(now.getTime() + 120_000), now)).toBe('in 2 min');
  });
  it('shows local time, with the date when it is not today; leaves what is not a time alone', () => {
    expect(localTime(new Date(2026, 10, 23, 9, 5, 7), now)).toBe('09:05:07');
    expect(localTime(new Date(2026, 10, 22, 23, 59, 0), now)).toBe('2026-11-22 23:59');
    expect(when(new Date(2026, 10, 23, 15, 7, 0).toISOString(), now)).toBe('15:07:00 (3 min ago)');
    expect(when('not a time', now)).toBe('not a time');
  });
});

describe('completion', () => {
  const call = (id: string, extension: string, other: string): PhoneCall =>
    ({
      id,
      extension,
      phoneCallView: [
        { id: '01', extension, source: [extension], destination: [other] },
        { id: '02', extension: other, source: [], destination: [] },
      ],
    }) as unknown as PhoneCall;

  it('completes command words, events subcommands, then extensions and call ids from a fresh list', async () => {
    let lists = 0;
    let clock = 0;
    const refresh = async () => {
      lists++;
      return [call('b817d2618fe6f1804333', '0003*210', '0003*024')];
    };
    const c = new Completions({ refresh, now: () => clock });
    expect(await c.complete('h')).toEqual([['hangup ', 'help ', 'hold '], 'h']);
    expect(await c.complete('events u')).toEqual([['update '], 'u']);
    expect(lists).toBe(0);
    expect(await c.complete('hold 0003*')).toEqual([['0003*024 ', '0003*210 '], '0003*']);
    expect(await c.complete('hold 0003*210 b8')).toEqual([['b817d2618fe6f1804333 '], 'b8']);
    expect(lists).toBe(1); // cached for a few seconds
    clock += 10_000;
    expect((await c.complete('whisper 0003*210 b817d2618fe6f1804333 t'))[0]).toEqual(['to ']);
    expect(lists).toBe(2);
  });

  it('answers with what it knows when VoipNow is slow or failing', async () => {
    const c = new Completions({ refresh: () => new Promise<PhoneCall[]>(() => undefined), waitMs: 20 });
    c.learn([call('c0ffee0011223344aabb', '0003*210', '0003*025')]);
    expect(await c.complete('list 0003*21')).toEqual([['0003*210 '], '0003*21']);
    const failing = new Completions({ refresh: () => Promise.reject(new Error('down')) });
    expect(await failing.complete('list 00')).toEqual([[], '00']);
  });
});

describe('colours and spinner', () => {
  it('colours a terminal unless NO_COLOR or TERM=dumb; the flag decides over both', () => {
    expect(useColor(undefined, { isTTY: true }, {})).toBe(true);
    expect(useColor(undefined, { isTTY: false }, {})).toBe(false);
    expect(useColor(undefined, { isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor(undefined, { isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(useColor(true, { isTTY: false }, { NO_COLOR: '1' })).toBe(true);
    expect(useColor(false, { isTTY: true }, {})).toBe(false);
  });

  it('no spinner when the answer is quick or the stream is not a terminal', async () => {
    const written: string[] = [];
    const tty = { isTTY: true, write: (t: string) => written.push(t) };
    expect(await withSpinner(tty, 'waiting', Promise.resolve(42), { delayMs: 10_000 })).toBe(42);
    expect(await withSpinner({ isTTY: false, write: (t: string) => written.push(t) }, 'waiting', new Promise((r) => setImmediate(() => r('late'))), { delayMs: 0 })).toBe('late');
    expect(written).toEqual([]);
  });
});
