/**
 * `events list` shows PhoneCallEvent URLs without the secret of callops' own
 * receiver (only its last 4 characters), in Slack and in the console.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers/stack.js';
import { boardDriver } from './helpers/board-driver.js';

const CH = 'CMASK';
let s: Stack | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});
const { command, reply } = boardDriver(() => s!, CH);

describe('event URLs in events list', () => {
  it("in Slack, the board's receiver secret is masked to its last 4 characters", async () => {
    s = await startStack({ boardEvents: true });
    await s.link('UC', '14', '0003*025');
    await command('UC', 'watch 0003*025');
    await reply('UC', /Watching/);
    const [watch] = await s.store.listWatchesForChannel('T1', CH);
    const secret = watch!.secret!;
    s.api.clearCalls();
    await command('UC', 'events list 0003*025');
    const list = await reply('UC', /event/i);
    const shown = JSON.stringify(list.body);
    expect(shown).toContain(`/voipnow/events/••••${secret.slice(-4)}`);
    expect(shown).not.toContain(secret);
  });

  it('in the console, the same', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const secret = 'AbCdEfGhIjKlMnOp3f2a';
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VOIPNOW_') && !k.startsWith('SANDBOX_')));
    const child = promisify(execFile)(process.execPath, ['bin/callops.mjs'], { cwd: root, env: { ...env, TZ: 'UTC' }, timeout: 30_000 });
    child.child.stdin!.end(`events add 0003*210 1 url https://callops.example/voipnow/events/${secret}\nevents list 0003*210\n`);
    const { stdout } = await child;
    expect(stdout).toContain('/voipnow/events/••••3f2a');
    expect(stdout).not.toContain(secret);
  });
});
