/**
 * A board channel that starts refusing the bot's writes (removed, archived, restricted):
 * its board pauses after at most 3 attempts, the watch owner gets one direct message
 * saying how to fix it, nothing is retried (not even after a restart), and inviting the
 * bot again (`member_joined_channel` for the bot user) resumes it and redraws its live calls.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { boardDriver } from './helpers/board-driver.js';
import { eventCallback } from './helpers/signed.js';
import { TEST_BOT_USER_ID } from './helpers/payloads.js';
import { waitUntil } from './helpers/wait.js';

const GONE = 'CGONE';
const STAYS = 'CSTAYS';
let s: Stack;

afterEach(async () => {
  await s?.close();
});

const gone = boardDriver(() => s, GONE);
const stays = boardDriver(() => s, STAYS);

async function boot(): Promise<void> {
  s = await startStack({
    supervisors: ['UA'],
    board: { timing: { liveMs: 150, idleMs: 600, maxBackoffMs: 500 }, budgets: { postsPerSecond: 50, postBurst: 20, updatesPerMinute: 3000, updateBurst: 20 } },
  });
  await s.link('UA', '12', '0003*210');
}

/** Board writes that reached Slack for a channel, accepted or not. */
const attempts = (channel: string) => s.api.calls.filter((c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && c.body.channel === channel).length;

/** Whether a channel shows a card for this call. */
const shows = (channel: string, callId: string) => s.api.messages(channel).some((m) => JSON.stringify(m.blocks ?? []).includes(`${callId}.head`));

const directMessages = (user: string) => s.api.callsTo('chat.postMessage').filter((c) => c.body.channel === user);

async function inbound(to: string, from: string): Promise<string> {
  return String((await stays.sandboxPost('/_sandbox/calls', { to, from })).id);
}

/** Slack refuses every write to the channel with this error, as it does once the bot is removed. */
function refuse(channel: string, error: string): () => void {
  const undo = [
    s.api.respondWith('chat.postMessage', (call, defaults) => (call.body.channel === channel ? { ok: false, error } : defaults())),
    s.api.respondWith('chat.update', (call, defaults) => (call.body.channel === channel ? { ok: false, error } : defaults())),
  ];
  return () => {
    for (const u of undo) u();
  };
}

describe('board channel that refuses writes', () => {
  it('pauses after at most 3 attempts, tells the owner once, survives a restart, and resumes on invite', async () => {
    await boot();
    await gone.command('UA', 'watch 0003*210');
    await gone.reply('UA', /Watching `0003\*210`/);
    await stays.command('UA', 'watch 0003*210');
    await stays.reply('UA', /Watching `0003\*210`/);
    const seed = await waitUntil('the seed call on both boards', () => {
      const ids = s.api.messages(STAYS).flatMap((m) => JSON.stringify(m.blocks ?? []).match(/[a-z0-9]+(?=\.head)/g) ?? []);
      return ids.find((id) => shows(GONE, id));
    });
    expect(seed).toBeTruthy();

    const allowAgain = refuse(GONE, 'not_in_channel');
    const before = attempts(GONE);
    const first = await inbound('0003*210', '5550101');
    const dm = await s.api.waitFor('chat.postMessage', (c) => c.body.channel === 'UA' && /paused/.test(String(c.body.text)), 8000);
    expect(String(dm.body.text)).toContain(`<#${GONE}>`);
    expect(String(dm.body.text)).toContain('/invite @callops');
    expect(String(dm.body.text)).toContain('`0003*210`');
    // Later reads go on for the other channel; the refusing one gets nothing more.
    await waitUntil('the new call on the other board', () => shows(STAYS, first));
    const second = await inbound('0003*210', '5550102');
    await waitUntil('a later call on the other board', () => shows(STAYS, second));
    expect(attempts(GONE) - before).toBeGreaterThan(0);
    expect(attempts(GONE) - before).toBeLessThanOrEqual(3);
    expect(directMessages('UA')).toHaveLength(1);
    expect((await s.store.listBoardChannelPauses()).map((p) => [p.channelId, p.reason])).toEqual([[GONE, 'not_in_channel']]);
    const paused = attempts(GONE);

    // A restart keeps the pause: still nothing is written there, and nobody is told again.
    await s.restart();
    const third = await inbound('0003*210', '5550103');
    await waitUntil('a call after the restart on the other board', () => shows(STAYS, third));
    expect(attempts(GONE)).toBe(paused);
    expect(directMessages('UA')).toHaveLength(1);
    const watching = await gone.command('UA', 'watching');
    expect(String((watching.json as { text?: string }).text)).toMatch(/board here is paused since .*`not_in_channel`.*`\/invite @callops`/);

    // Another member joining changes nothing; the bot joining resumes the board and redraws its live calls.
    allowAgain();
    expect((await eventCallback(s.base, SIGNING_SECRET, { type: 'member_joined_channel', user: 'UOTHER', channel: GONE, channel_type: 'C', team: 'T1' })).status).toBe(200);
    expect((await eventCallback(s.base, SIGNING_SECRET, { type: 'member_joined_channel', user: TEST_BOT_USER_ID, channel: GONE, channel_type: 'C', team: 'T1' })).status).toBe(200);
    await waitUntil('the live calls drawn again in the channel', () => [first, second, third].every((id) => shows(GONE, id)));
    await waitUntil('the resume notice', () => s.api.messages(GONE).some((m) => /board here resumed/.test(m.text)));
    expect(await s.store.listBoardChannelPauses()).toEqual([]);
    // The board reads again: a new call gets its card there.
    const fourth = await inbound('0003*210', '5550104');
    await waitUntil('a new call on the resumed board', () => shows(GONE, fourth));
    expect(directMessages('UA')).toHaveLength(1);
  });

  it('an archived channel pauses too, and the owner is told to unarchive it first', async () => {
    await boot();
    await gone.command('UA', 'watch 0003*210');
    await gone.reply('UA', /Watching `0003\*210`/);
    refuse(GONE, 'is_archived');
    await inbound('0003*210', '5550111');
    const dm = await s.api.waitFor('chat.postMessage', (c) => c.body.channel === 'UA' && /paused/.test(String(c.body.text)), 8000);
    expect(String(dm.body.text)).toMatch(/archived.*unarchive the channel, then invite callops/);
    expect((await s.store.listBoardChannelPauses()).map((p) => p.reason)).toEqual(['is_archived']);
  });
});
