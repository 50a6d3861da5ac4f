/**
 * A watch lasts as long as its owner may read the extension: an owner who unlinks
 * ends their watches (PhoneCallEvents removed with their token first), an owner whom
 * VoipNow no longer lets read the extension ends the watch on the next refused read,
 * and a watch paused for an expired link ends once its owner is unlinked elsewhere.
 * Each channel is told once; the cards become final.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers/stack.js';
import { boardDriver } from './helpers/board-driver.js';
import { waitUntil } from './helpers/wait.js';

const CH = 'CRIGHTS';
let s: Stack;

afterEach(async () => {
  await s?.close();
});

const { command, reply } = boardDriver(() => s, CH);

async function boot(): Promise<void> {
  s = await startStack({
    supervisors: ['UA'],
    boardEvents: true,
    board: {
      timing: { liveMs: 150, idleMs: 400, maxBackoffMs: 400 },
      ownerCheckMs: 150,
      budgets: { postsPerSecond: 50, postBurst: 20, updatesPerMinute: 3000, updateBurst: 20 },
    },
  });
  await s.link('UA', '12', '0003*210');
  await command('UA', 'watch 0003*210');
  await reply('UA', /Watching `0003\*210`/);
  await waitUntil('the seed call card', () => seedCards().length > 0);
}

const ourEvents = () => s.sandbox.world.events.filter((e) => e.extension === '0003*210' && e.note === `callops board T1/${CH}`);
const stoppedNotices = () => s.api.callsTo('chat.postMessage').filter((c) => c.body.channel === CH && /Stopped watching/.test(String(c.body.text)));
const seedCards = () => s.api.messages(CH).filter((m) => JSON.stringify(m.blocks ?? []).includes('.head'));
/** Every card in the channel shows an ended call (no buttons left). */
const allFinal = () => seedCards().every((m) => !JSON.stringify(m.blocks ?? []).includes('"type":"actions"'));

describe('board watches whose owner lost them', () => {
  it('unlinking ends the owner’s watches: events removed with their token, the channel told once, cards final', async () => {
    await boot();
    expect(ourEvents()).toHaveLength(5);
    const ack = await command('UA', 'unlink');
    expect(String((ack.json as { text?: string }).text)).toMatch(/unlinked/);
    expect(ourEvents()).toEqual([]);
    expect(await s.store.listWatchesForChannel('T1', CH)).toEqual([]);
    const [notice] = await waitUntil('the stopped notice', () => stoppedNotices().length > 0 && stoppedNotices());
    expect(String(notice!.body.text)).toMatch(/Stopped watching `0003\*210`: <@UA>, who set this watch, unlinked their VoipNow account/);
    await waitUntil('the cards final', () => allFinal());
    await s.slack.board.board.settled();
    await s.slack.idle();
    expect(stoppedNotices()).toHaveLength(1);
    expect(await s.slack.board.board.watchesOf('T1', CH)).toEqual([]);
  });

  it('an owner who may no longer read the extension: the watch ends on the next refused read, told once', async () => {
    await boot();
    // The PBX gives the extension to another user: user 12 may no longer read it.
    s.sandbox.world.extensions.get('0003*210')!.ownerId = '13';
    const [notice] = await waitUntil('the stopped notice', () => stoppedNotices().length > 0 && stoppedNotices());
    expect(String(notice!.body.text)).toMatch(/Stopped watching `0003\*210`: VoipNow no longer lets <@UA>, who set this watch, read this extension/);
    expect(await s.store.listWatchesForChannel('T1', CH)).toEqual([]);
    await waitUntil('the cards final', () => allFinal());
    // Reading has stopped: no read of the extension by user 12 after the watch ended.
    const reads = () => s.sandbox.requests.filter((r) => r.userId === '12' && r.method === 'GET' && r.path.includes('0003*210')).length;
    const before = reads();
    await s.slack.board.board.settled();
    await s.slack.idle();
    expect(reads()).toBe(before);
    expect(stoppedNotices()).toHaveLength(1);
    // The owner's link itself still works: nothing was unlinked.
    expect(await s.store.getLinkedAccount('T1', 'UA')).toBeDefined();
  });

  it('a watch paused for an expired link stays paused while the owner is linked, and ends once they are unlinked elsewhere', async () => {
    await boot();
    await s.slack.deps.accounts.link({ teamId: 'T1', userId: 'UA' }, { accessToken: 'revoked', refreshToken: 'revoked', expiresAt: new Date(Date.now() - 60_000) });
    await s.api.waitFor('chat.postMessage', (c) => c.body.channel === CH && /Paused watching/.test(String(c.body.text)), 8000);
    expect((await s.store.listWatchesForChannel('T1', CH))[0]?.pausedAt).toBeInstanceOf(Date);
    expect(stoppedNotices()).toEqual([]);
    // The account goes without `/call unlink` (an administrator, another replica's cleanup): the periodic check ends the watch.
    await s.store.deleteLinkedAccount('T1', 'UA');
    const [notice] = await waitUntil('the stopped notice', () => stoppedNotices().length > 0 && stoppedNotices());
    expect(String(notice!.body.text)).toMatch(/unlinked their VoipNow account/);
    expect(await s.store.listWatchesForChannel('T1', CH)).toEqual([]);
  });
});
