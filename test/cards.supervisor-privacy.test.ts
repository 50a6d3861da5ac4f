/**
 * Silent monitoring stays silent: a supervisor's Listen leg is drawn on the
 * board's card (a channel that watches the extension) and never on the call's
 * card posted in the agent's own channel. Signed slash commands in, the sandbox
 * PBX, and the chat.update bodies the recording Slack API saw per channel; a card
 * of the call in another workspace is never written on this one's behalf.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { slashCommand } from './helpers/signed.js';
import { cardsOf, trackPosts } from './helpers/board.js';
import { waitUntil } from './helpers/wait.js';
import { SEED_IDS } from '../src/sandbox/seed.js';

const BOARD = 'CBOARD1';
const AGENT = 'CAGENT1';
const CALL = SEED_IDS.seedCall;
let s: Stack;
let posted: Map<number, string>;

beforeEach(async () => {
  s = await startStack({
    boardEvents: true,
    board: { timing: { liveMs: 300, idleMs: 5000, maxBackoffMs: 2000 }, budgets: { postsPerSecond: 20, postBurst: 5, updatesPerMinute: 600, updateBurst: 5 } },
  });
  posted = trackPosts(s.api);
  await s.link('UA', '12', '0003*210');
});

afterEach(async () => {
  await s?.close();
});

const command = (user: string, text: string, channel: string) =>
  slashCommand(s.base, SIGNING_SECRET, { user_id: user, text, channel_id: channel, response_url: s.api.responseUrl(`/cmd/${user}/${channel}`) });

/** Every card body (posts and updates) written into a channel for the call. */
function bodiesIn(channel: string): string[] {
  return s.api.calls
    .filter((c) => c.body.channel === channel && (c.method === 'chat.update' || c.method === 'chat.postMessage') && !c.body.thread_ts)
    .map((c) => JSON.stringify(c.body.blocks ?? []) + String(c.body.text ?? ''))
    .filter((b) => b.includes(CALL));
}

const mentionsListening = (body: string) => /listen/i.test(body) && body.includes('0003*025');

describe('supervisor legs on cards', () => {
  it("a supervisor's Listen shows on the board's card and not on the agent channel's card", async () => {
    expect((await command('UA', `share 0003*210 ${CALL}`, AGENT)).status).toBe(200);
    await waitUntil('the call card in the agent channel', () => bodiesIn(AGENT).length > 0);
    expect((await command('UA', 'watch 0003*210', BOARD)).status).toBe(200);
    await waitUntil('the board card', () => cardsOf(s.api, posted, BOARD, CALL).length > 0);

    expect((await command('UA', `listen 0003*210 ${CALL} to 0003*025`, BOARD)).status).toBe(200);
    await waitUntil('the Listen leg on the board card', () => cardsOf(s.api, posted, BOARD, CALL).some((m) => mentionsListening(JSON.stringify(m.blocks))), 10_000);
    // The agent channel's card was brought up to date after the action (the leg is on the call now) ...
    const agentUpdates = () => s.api.calls.filter((c) => c.method === 'chat.update' && c.body.channel === AGENT);
    await waitUntil('the agent card updated', () => agentUpdates().length > 0, 10_000);
    await s.slack.idle();
    // ... but none of its writes says that someone listens.
    expect(bodiesIn(AGENT).length).toBeGreaterThan(1);
    expect(bodiesIn(AGENT).filter(mentionsListening)).toEqual([]);
  });

  it("a card of the call in another workspace is never written on this workspace's behalf", async () => {
    expect((await command('UA', `share 0003*210 ${CALL}`, AGENT)).status).toBe(200);
    await waitUntil('the call card in the agent channel', () => bodiesIn(AGENT).length > 0);
    // The same call shown in a channel of another workspace (a second installation of callops on one store).
    await s.store.saveCallCard({ teamId: 'T2', channelId: 'COTHER1', messageTs: '1700000000.000100', phoneCallId: CALL, extension: '0003*210', updatedAt: new Date() });
    expect((await command('UA', `hold 0003*210 ${CALL}`, BOARD)).status).toBe(200);
    // The action's card syncs reach the agent channel's card of this workspace ...
    await waitUntil(
      'the agent card updated after the hold',
      () => s.api.calls.some((c) => c.method === 'chat.update' && c.body.channel === AGENT && JSON.stringify(c.body.blocks).includes('on hold')),
      10_000,
    );
    await s.slack.idle();
    // ... and never the other workspace's.
    expect(s.api.calls.filter((c) => c.body.channel === 'COTHER1')).toEqual([]);
  });
});
