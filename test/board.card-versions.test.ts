/**
 * Board cards are versioned like every call card: their buttons carry
 * `{call, extension, view, version}` (the version the board's writer drew the
 * card at), a press of the board card as shown runs, and a press of an older
 * version (the card was drawn again since, here after a change at the desk
 * phone) sends nothing to VoipNow and says what the card shows now. Signed
 * requests into the real app, the sandbox PBX, the recording Slack API.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/sandbox/server.js';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { blockAction, blockActionPayload, slashCommand } from './helpers/signed.js';
import { type ShownMessage, cardsOf, trackPosts } from './helpers/board.js';
import { waitUntil } from './helpers/wait.js';
import { snapshotOf } from '../src/board/snapshot.js';
import { boardCard as drawBoardCard } from '../src/slack/board/render.js';
import { phoneCallSchema } from '../src/uapi/schemas.js';

const CH = 'CBOARD1';
const CALL = SEED_IDS.seedCall;
let s: Stack;
let posted: Map<number, string>;

beforeEach(async () => {
  s = await startStack({
    board: { timing: { liveMs: 300, idleMs: 5000, maxBackoffMs: 2000 }, budgets: { postsPerSecond: 20, postBurst: 5, updatesPerMinute: 600, updateBurst: 5 } },
  });
  posted = trackPosts(s.api);
  await s.link('UA', '12', '0003*210');
});

afterEach(async () => {
  await s?.close();
});

const boardCard = () => cardsOf(s.api, posted, CH, CALL)[0];
const buttonValue = (m: ShownMessage, actionId: string) => m.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId)?.value;
const puts = () => s.sandbox.requests.filter((r) => r.path.startsWith('/uapi/') && r.method === 'PUT');

function press(m: ShownMessage, actionId: string) {
  const value = buttonValue(m, actionId);
  if (!value) throw new Error(`no ${actionId} on the board card`);
  return blockAction(
    s.base,
    SIGNING_SECRET,
    blockActionPayload({ user: 'UA', channel: CH, messageTs: m.ts, messageBlocks: m.blocks, actionId, value, responseUrl: s.api.responseUrl('/press') }),
  );
}

describe('board card versions', () => {
  it('board buttons carry the card version; after a change at the desk phone, a press of the older card sends nothing and says what the call is doing', async () => {
    await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: 'watch 0003*210', channel_id: CH, response_url: s.api.responseUrl('/watch') });
    const first = await waitUntil('the board card', () => boardCard());
    expect(JSON.parse(buttonValue(first, 'call.refresh')!)).toEqual({ call: CALL, extension: '0003*210', version: 1 });
    expect(JSON.parse(buttonValue(first, 'call.hold.01')!)).toMatchObject({ call: CALL, view: '01', version: 1 });
    const firstSnapshot = { ...first, blocks: structuredClone(first.blocks) };

    // Put on hold at the desk phone: the board draws the card again, at a newer version.
    const res = await fetch(`${s.sandbox.url}/_sandbox/calls/${CALL}/hold`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(200);
    const held = await waitUntil('the held board card', () => {
      const m = boardCard();
      return m && buttonValue(m, 'call.resume.01') ? m : undefined;
    });
    expect((JSON.parse(buttonValue(held, 'call.resume.01')!) as { version: number }).version).toBeGreaterThan(1);

    await s.slack.idle();
    s.sandbox.requests.length = 0;
    await press(firstSnapshot, 'call.park.01');
    const told = await s.api.waitFor('response_url', (c) => String(c.body.text).includes('older version of this card'));
    expect(String(told.body.text)).toMatch(/The call now: .*on hold/);
    await s.slack.idle();
    expect(puts()).toEqual([]);

    // The card as shown now takes the press.
    await press(held, 'call.resume.01');
    await waitUntil('the Resume PUT', () => puts().length === 1 || undefined);
    expect(puts()[0]!.body).toMatchObject({ action: 'OffHold' });
  });

  it("a board card's block ids and button values are built from the call's ids: hashed when long, and no button for ids no action could use", () => {
    const draw = (id: string, view: string) =>
      drawBoardCard(
        snapshotOf(
          phoneCallSchema.parse({ id, extension: '0003*210', phoneCallView: [{ id: view, extension: '0003*210', status: '5', source: ['0003*210'], destination: ['0003*024'] }] }),
          '0003*210',
          [],
        ),
        7,
      );
    const valuesOf = (msg: ReturnType<typeof draw>) =>
      msg.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : [])).map((e) => JSON.parse(String((e as { value?: string }).value)) as Record<string, unknown>);
    // Long but valid ids (64 letters and digits): hashed into block ids, carried whole in values, at the card's version.
    const long = draw('a'.repeat(64), 'b'.repeat(64));
    const ids = long.blocks.map((b) => String(b.block_id));
    expect(ids.every((b) => b.length <= 255)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(valuesOf(long).length).toBeGreaterThan(1);
    expect(valuesOf(long).every((v) => v.version === 7 && v.call === 'a'.repeat(64))).toBe(true);
    // An id no action accepts (what a PBX should never send): hashed block ids, and no button carries it.
    const odd = draw(`${'x'.repeat(300)}.view.01`, '01');
    expect(odd.blocks.every((b) => String(b.block_id).length <= 255 && !String(b.block_id).includes('xxx'))).toBe(true);
    expect(JSON.stringify(odd.blocks)).not.toContain('xxxx');
    expect(valuesOf(odd)).toEqual([]);
  });
});
