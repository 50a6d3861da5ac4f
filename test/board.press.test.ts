/**
 * A press on a supervisor-board card, through the real app (signed press in, the sandbox PBX's
 * requests and the recording Slack API's writes out): the action's PUT and its read-back are
 * the only UAPI requests it makes, the card is written once, showing the new state the read-back
 * gave, and its thread gets one audit line naming who did it; the board's own later reads of
 * the same state add nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/sandbox/server.js';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { blockAction, blockActionPayload, slashCommand } from './helpers/signed.js';
import { type ShownMessage, cardsOf, headOf, trackPosts } from './helpers/board.js';
import { waitUntil } from './helpers/wait.js';

const CH = 'CPRESS1';
const CALL = SEED_IDS.seedCall;
/** Board polling slowed right down: whatever reads the PBX after the card is posted, the press caused. */
const PAUSED = { liveMs: 600_000, idleMs: 600_000, hotMs: 600_000, maxBackoffMs: 600_000 };
let s: Stack;
let posted: Map<number, string>;

afterEach(async () => {
  await s?.close();
});

async function boardWith(timing: Record<string, number>): Promise<ShownMessage> {
  s = await startStack({ supervisors: ['UA'], board: { timing, budgets: { postsPerSecond: 20, postBurst: 5, updatesPerMinute: 600, updateBurst: 5 } } });
  posted = trackPosts(s.api);
  await s.link('UA', '12', '0003*210');
  await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: 'watch 0003*210', channel_id: CH, response_url: s.api.responseUrl('/watch') });
  const card = await waitUntil('the board card', () => cardsOf(s.api, posted, CH, CALL)[0]);
  await s.slack.idle();
  return card;
}

function pressHold(card: ShownMessage) {
  const value = card.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.hold.01')?.value;
  if (!value) throw new Error('no Hold button on the board card');
  return blockAction(
    s.base,
    SIGNING_SECRET,
    blockActionPayload({ user: 'UA', channel: CH, messageTs: card.ts, messageBlocks: card.blocks, actionId: 'call.hold.01', value, responseUrl: s.api.responseUrl('/press') }),
  );
}

const uapi = (from: number) => s.sandbox.requests.slice(from).filter((r) => r.path.startsWith('/uapi/'));
const slackFrom = (from: number) => s.api.calls.filter((c) => c.seq >= from);
const cardUpdates = (from: number, ts: string) => slackFrom(from).filter((c) => c.method === 'chat.update' && c.body.ts === ts);
const threadLines = (from: number, ts: string) => slackFrom(from).filter((c) => c.method === 'chat.postMessage' && c.body.thread_ts === ts);
const heldHead = (c: { body: { blocks?: unknown } }) => headOf({ blocks: c.body.blocks } as ShownMessage);

describe('a press on a board card', () => {
  it('Hold: the PUT and its read-back are its only UAPI requests, one card update showing it held, one audit line, nothing more', async () => {
    const card = await boardWith(PAUSED);
    expect(headOf(card)).not.toMatch(/on hold/);
    const uapiFrom = s.sandbox.requests.length;
    const slackSeq = s.api.calls.length ? s.api.calls.at(-1)!.seq + 1 : 0;

    const res = await pressHold(card);
    expect(res.status).toBe(200);
    await waitUntil('the held card', () => cardUpdates(slackSeq, card.ts).find((c) => /is on hold/.test(heldHead(c))));
    await waitUntil('the audit line', () => threadLines(slackSeq, card.ts)[0]);
    await s.slack.idle();
    await s.slack.board.board.settled();

    const requests = uapi(uapiFrom).map((r) => `${r.method} ${r.path}`);
    expect(requests).toEqual([`PUT /uapi/phoneCalls/@me/0003*210/${CALL}`, `GET /uapi/phoneCalls/@me/0003*210/${CALL}`]);
    expect(s.sandbox.world.calls.get(CALL)!.views[0]!.holder).toBe(1);

    const updates = cardUpdates(slackSeq, card.ts);
    expect(updates).toHaveLength(1);
    expect(heldHead(updates[0]!)).toMatch(/is on hold/);
    // The held card offers Resume, at a newer version than the card pressed.
    const resume = (updates[0]!.body.blocks as ShownMessage['blocks']).flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.resume.01');
    expect(JSON.parse(resume!.value!)).toMatchObject({ call: CALL, version: 2 });

    const lines = threadLines(slackSeq, card.ts).map((c) => String(c.body.text));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^<@UA> put on hold the call.*: done$/);

    // No second notification: no other message written or posted, nothing said privately.
    const others = slackFrom(slackSeq).filter((c) => !(c.method === 'chat.update' && c.body.ts === card.ts) && !(c.method === 'chat.postMessage' && c.body.thread_ts === card.ts));
    expect(others.map((c) => c.method)).toEqual([]);
  });

  it("the call's card in another channel follows the press; the board card is still written once, by the board", async () => {
    const card = await boardWith(PAUSED);
    await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: `post 0003*210 ${CALL}`, channel_id: 'CAGENT', response_url: s.api.responseUrl('/post') });
    const agentPost = await s.api.waitFor('chat.postMessage', (c) => c.body.channel === 'CAGENT');
    const agentTs = await waitUntil('the agent card ts', () => posted.get(agentPost.seq));
    await s.slack.idle();
    const slackSeq = s.api.calls.at(-1)!.seq + 1;

    await pressHold(card);
    await waitUntil('the held board card', () => cardUpdates(slackSeq, card.ts).find((c) => /is on hold/.test(heldHead(c))));
    await waitUntil('the agent card updated', () => cardUpdates(slackSeq, agentTs)[0]);
    await s.slack.idle();
    expect(cardUpdates(slackSeq, card.ts)).toHaveLength(1);
    expect(cardUpdates(slackSeq, agentTs)).toHaveLength(1);
    expect(threadLines(slackSeq, card.ts)).toHaveLength(1);
  });

  it("the board's own later reads find the state the press showed: no second card update, no second line", async () => {
    const card = await boardWith({ liveMs: 150, idleMs: 150, hotMs: 150, maxBackoffMs: 1000 });
    const slackSeq = s.api.calls.length ? s.api.calls.at(-1)!.seq + 1 : 0;
    const uapiFrom = s.sandbox.requests.length;
    await pressHold(card);
    await waitUntil('the held card', () => cardUpdates(slackSeq, card.ts).find((c) => /is on hold/.test(heldHead(c))));
    // Three more reads of the extension by the board after the card showed the hold.
    const listsAt = uapi(uapiFrom).length;
    await waitUntil(
      'three board reads after the press',
      () =>
        uapi(uapiFrom)
          .slice(listsAt)
          .filter((r) => r.method === 'GET' && !r.path.endsWith(CALL)).length >= 3 || undefined,
    );
    await s.slack.idle();

    const pressRequests = uapi(uapiFrom).filter((r) => r.path.endsWith(`/${CALL}`));
    expect(pressRequests.map((r) => r.method)).toEqual(['PUT', 'GET']);
    expect(cardUpdates(slackSeq, card.ts)).toHaveLength(1);
    expect(threadLines(slackSeq, card.ts)).toHaveLength(1);
  });
});
