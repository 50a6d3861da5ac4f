/**
 * One audit line per change, whatever the board's polling does around a press on its card: a
 * poll that reads the call between the action's PUT and its read-back tells nothing (the
 * action's line tells the change, naming who), and desk-phone changes right before and right
 * after a press are each told once, by the board.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/sandbox/server.js';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { blockAction, blockActionPayload, slashCommand } from './helpers/signed.js';
import { type ShownMessage, cardsOf, headOf, threadText, trackPosts } from './helpers/board.js';
import { boardDriver } from './helpers/board-driver.js';
import { waitUntil } from './helpers/wait.js';

const CH = 'CPRACE1';
const CALL = SEED_IDS.seedCall;
/** The board reads the extension every 100 ms, whatever it shows. */
const FAST = { liveMs: 100, idleMs: 100, hotMs: 100, maxBackoffMs: 500 };
let s: Stack;
let posted: Map<number, string>;
const { sandboxPost } = boardDriver(() => s, CH);

afterEach(async () => {
  await sandboxPost('/_sandbox/faults', {}).catch(() => undefined);
  await s?.close();
});

async function board(): Promise<void> {
  s = await startStack({ supervisors: ['UA'], board: { timing: FAST, budgets: { postsPerSecond: 20, postBurst: 5, updatesPerMinute: 600, updateBurst: 5 } } });
  posted = trackPosts(s.api);
  await s.link('UA', '12', '0003*210');
  await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: 'watch 0003*210', channel_id: CH, response_url: s.api.responseUrl('/watch') });
  await waitUntil('the board card and its first line', () => allLines().length > 0);
  await s.slack.idle();
  firstLines = allLines().length;
}

const card = (): ShownMessage | undefined => cardsOf(s.api, posted, CH, CALL)[0];
/** The card's thread lines after the ones it began with (who was seen on the call). */
let firstLines = 0;
const allLines = () => (card()?.thread ?? []).flatMap((c) => String(c.body.text ?? '').split('\n'));
const lines = () => allLines().slice(firstLines);

function press(action: 'hold' | 'resume') {
  const shown = card()!;
  const value = shown.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === `call.${action}.01`)?.value;
  if (!value) throw new Error(`no ${action} button on the board card: ${JSON.stringify(shown.blocks)}`);
  return blockAction(
    s.base,
    SIGNING_SECRET,
    blockActionPayload({ user: 'UA', channel: CH, messageTs: shown.ts, messageBlocks: shown.blocks, actionId: `call.${action}.01`, value, responseUrl: s.api.responseUrl('/press') }),
  );
}

/** Board reads of the extension (its list, not the one call) recorded from `from` on. */
const listReads = (from: number) => s.sandbox.requests.slice(from).filter((r) => r.method === 'GET' && r.path.endsWith('/0003*210')).length;
const held = () => /on hold/.test(headOf(card()!));

describe('a press and the board reading the call around it', () => {
  it('a poll between the PUT and the read-back tells nothing: one line, the action’s, and the card shows the call held', async () => {
    await board();
    expect(held()).toBe(false);
    // The action's read-back of the call hangs; the board's reads of the extension answer.
    await sandboxPost('/_sandbox/faults', { hangReadsEndingWith: `/${CALL}` });
    const from = s.sandbox.requests.length;
    expect((await press('hold')).status).toBe(200);
    await waitUntil('the PUT', () => s.sandbox.requests.slice(from).some((r) => r.method === 'PUT' && r.path.endsWith(`/${CALL}`)));
    const afterPut = s.sandbox.requests.length;
    // Reads are one after another: a third one begun means two were answered and taken in, both seeing the call held.
    await waitUntil('board reads after the PUT', () => listReads(afterPut) >= 3 || undefined);
    expect(s.sandbox.world.calls.get(CALL)!.views[0]!.holder).toBe(1);
    expect(lines()).toEqual([]);
    expect(held()).toBe(false);

    await sandboxPost('/_sandbox/faults', {});
    await waitUntil('the held card with its line', () => held() && lines().length > 0);
    // More reads after the read-back add nothing.
    const settledAt = s.sandbox.requests.length;
    await waitUntil('board reads after the read-back', () => listReads(settledAt) >= 3 || undefined);
    await s.slack.idle();
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatch(/^<@UA> put on hold the call.*: done$/);
    expect(held()).toBe(true);
  });

  it('a desk-phone change right before a press and one right after it are each told once', async () => {
    await board();
    // The desk phone holds the call; the board tells it; at once the supervisor takes it off hold.
    await sandboxPost(`/_sandbox/calls/${CALL}/hold`, {});
    await waitUntil('the board telling the desk-phone hold', () => held() && lines().length === 1);
    expect(lines()).toEqual(['put on hold']);
    expect((await press('resume')).status).toBe(200);
    await waitUntil('the press told', () => !held() && lines().length === 2);
    // At once the desk phone holds it again.
    await sandboxPost(`/_sandbox/calls/${CALL}/hold`, {});
    await waitUntil('the second desk-phone hold told', () => held() && lines().length === 3);
    const settledAt = s.sandbox.requests.length;
    await waitUntil('board reads after it', () => listReads(settledAt) >= 3 || undefined);
    await s.slack.idle();
    expect(lines()).toEqual(['put on hold', expect.stringMatching(/^<@UA> took off hold the call.*: done$/), 'put on hold']);
    expect(threadText(card()!)).not.toMatch(/resumed/);
  });
});
