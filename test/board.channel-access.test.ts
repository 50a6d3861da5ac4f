/**
 * A watch in a channel the bot is not a member of: nothing is set, nothing is
 * posted there, and the supervisor is told privately how to invite the bot.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers/stack.js';
import { boardDriver } from './helpers/board-driver.js';

const CH = 'CNOBOT';
let s: Stack;

afterEach(async () => {
  await s?.close();
});

const { command, reply } = boardDriver(() => s, CH);

describe('board channel access', () => {
  it('a watch in a channel without the bot sets nothing and says how to invite it', async () => {
    s = await startStack({ supervisors: ['UA'], board: { timing: { liveMs: 150, idleMs: 2000, maxBackoffMs: 1000 } } });
    await s.link('UA', '12', '0003*210');
    s.api.respondWith('conversations.info', (call, defaults) => {
      const d = defaults();
      return call.body.channel === CH ? { ...d, channel: { ...(d.channel as object), is_member: false } } : d;
    });
    s.api.respondWith('chat.postMessage', (call, defaults) => (call.body.channel === CH ? { ok: false, error: 'not_in_channel' } : defaults()));
    await command('UA', 'watch 0003*210');
    const answer = await reply('UA', /invite/i);
    expect(String(answer.body.text)).toContain('/invite @callops');
    expect(String(answer.body.text)).not.toMatch(/:eyes: Watching/);
    expect(await s.store.listWatchesForChannel('T1', CH)).toEqual([]);
    expect(s.api.callsTo('chat.postMessage').filter((c) => c.body.channel === CH)).toEqual([]);
  });

  it('a watch in a channel the bot is in still starts the board', async () => {
    s = await startStack({ supervisors: ['UA'], board: { timing: { liveMs: 150, idleMs: 2000, maxBackoffMs: 1000 } } });
    await s.link('UA', '12', '0003*210');
    await command('UA', 'watch 0003*210');
    await reply('UA', /Watching `0003\*210`/);
    expect((await s.store.listWatchesForChannel('T1', CH)).map((w) => w.extension)).toEqual(['0003*210']);
  });
});
