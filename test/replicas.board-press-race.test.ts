/**
 * Two replicas on one PostgreSQL store, the board polling fast on its holder: a Hold pressed
 * through the other replica while the holder's queue is slow to hand the action's news over
 * (its start and its read-back wait at the holder). The holder's polls read the call held
 * between the press's PUT and that hand-over, and tell nothing: the press's claims recorded its
 * hold in the store, so the change is told once, by the action's line naming who pressed. A typed
 * `/call resume` then does the same.
 * Skipped, with the reason printed, when no PostgreSQL answers.
 */
import { describe, expect, it } from 'vitest';
import type { JobHandler, JobQueue } from '../src/coordination/index.js';
import { SEED_IDS } from '../src/sandbox/server.js';
import { SIGNING_SECRET } from './helpers/stack.js';
import { blockAction, blockActionPayload, slashCommand } from './helpers/signed.js';
import { type ShownMessage, cardsOf, headOf, trackPosts } from './helpers/board.js';
import { pgUnavailable, pgUrl } from './helpers/pg.js';
import { replicaApps } from './helpers/replica-apps.js';
import { waitUntil } from './helpers/wait.js';

if (!pgUrl) console.warn(`replicas.board-press-race: no PostgreSQL (${pgUnavailable}); skipped`);

const CH = 'CREPRACE';
const CALL = SEED_IDS.seedCall;
/** The holder reads the extension every 100 ms, whatever it shows. */
const FAST = { liveMs: 100, idleMs: 100, hotMs: 100, maxBackoffMs: 500 };
/** What the holder's queue brings of an action from another replica: its start, its read-back, its failure. */
const ACTION_NEWS = new Set(['acting', 'action', 'note']);

/** While closed, the holder takes no action news from its queue (as a slow hand-over would). */
class HandOverGate {
  #closed = false;
  #waiting: Array<() => void> = [];
  /** Action news the holder's queue delivered while closed. */
  held = 0;
  close(): void {
    this.#closed = true;
  }
  open(): void {
    this.#closed = false;
    for (const go of this.#waiting.splice(0)) go();
  }
  async pass(data: unknown): Promise<void> {
    if (!this.#closed || !ACTION_NEWS.has(String((data as { kind?: unknown }).kind))) return;
    this.held++;
    await new Promise<void>((go) => this.#waiting.push(go));
  }
}

/** The replica's queue, its board hand-overs passing the gate first. */
function gated(queue: JobQueue, gate: HandOverGate): JobQueue {
  return {
    start: () => queue.start(),
    send: (name, data, options) => queue.send(name, data, options),
    work: <T extends object>(name: string, handler: JobHandler<T>) =>
      queue.work<T>(name, async (job) => {
        if (name.startsWith('board-holder.')) await gate.pass(job.data);
        await handler(job);
      }),
    stats: (name) => queue.stats(name),
    remove: (name) => queue.remove(name),
    queues: () => queue.queues(),
    stop: () => queue.stop(),
  };
}

describe.skipIf(!pgUrl)('a board press across replicas, the holder polling while the hand-over is slow', () => {
  const gate = new HandOverGate();
  const r = replicaApps({
    schemaPrefix: 'callops_pressrace',
    pickupDelayMs: 0,
    coordinated: true,
    options: (coordination) => ({
      replicas: { queue: gated(coordination!.queue, gate), leases: coordination!.leases, ttlMs: 1500 },
      board: { timing: FAST, budgets: { postsPerSecond: 20, postBurst: 5, updatesPerMinute: 600, updateBurst: 5 } },
    }),
  });

  it("the holder's polls between the PUT and the hand-over tell nothing: one line, the action's, naming who pressed", async () => {
    const { apps, api, sandbox } = r;
    const posted = trackPosts(api);
    const holder = await waitUntil('a board holder', () => apps.find((a) => a.app.board.running), { timeoutMs: 20_000 });
    const other = apps.find((a) => a !== holder)!;
    await slashCommand(other.base, SIGNING_SECRET, { user_id: 'UA', text: 'watch 0003*210', channel_id: CH, response_url: api.responseUrl('/cmd/UA') });
    const card = (): ShownMessage | undefined => cardsOf(api, posted, CH, CALL)[0];
    const allLines = () => (card()?.thread ?? []).flatMap((c) => String(c.body.text ?? '').split('\n'));
    await waitUntil('the board card and its first line', () => allLines().length > 0, { timeoutMs: 15_000 });
    await holder.app.idle();
    await other.app.idle();
    const firstLines = allLines().length;
    const lines = () => allLines().slice(firstLines);
    const held = () => /on hold/.test(headOf(card()!));
    /** The holder's reads of the extension (its list, not the one call) from `from` on. */
    const listReads = (from: number) => sandbox.requests.slice(from).filter((q) => q.method === 'GET' && q.path.endsWith('/0003*210')).length;
    expect(held()).toBe(false);

    const shown = card()!;
    const value = shown.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.hold.01')?.value;
    expect(value).toBeDefined();
    gate.close();
    try {
      const from = sandbox.requests.length;
      const pressed = await blockAction(
        other.base,
        SIGNING_SECRET,
        blockActionPayload({ user: 'UA', channel: CH, messageTs: shown.ts, messageBlocks: shown.blocks, actionId: 'call.hold.01', value: value!, responseUrl: api.responseUrl('/press') }),
      );
      expect(pressed.status).toBe(200);
      await waitUntil('the PUT and its read-back', () => sandbox.requests.slice(from).filter((q) => q.path.endsWith(`/${CALL}`)).length >= 2, { timeoutMs: 15_000 });
      const afterPut = sandbox.requests.length;
      // Reads are one after another: a third one begun means two were answered and taken in, both seeing the call held.
      await waitUntil('holder reads after the PUT', () => listReads(afterPut) >= 3 || undefined, { timeoutMs: 15_000 });
      expect(sandbox.world.calls.get(CALL)!.views[0]!.holder).toBe(1);
      // The press's news is still waiting at the holder: the reads above came before it.
      await waitUntil('the hand-over waiting at the holder', () => gate.held > 0 || undefined, { timeoutMs: 15_000 });
      await holder.app.idle();
      expect(lines()).toEqual([]);
      expect(held()).toBe(false);
    } finally {
      gate.open();
    }

    await waitUntil('the held card with its line', () => (held() && lines().length > 0) || undefined, { timeoutMs: 15_000 });
    // More reads after the hand-over add nothing.
    const settledAt = sandbox.requests.length;
    await waitUntil('holder reads after the hand-over', () => listReads(settledAt) >= 3 || undefined, { timeoutMs: 15_000 });
    await other.app.idle();
    await holder.app.idle();
    expect(lines()).toEqual([expect.stringMatching(/^<@UA> put on hold the call.*: done$/)]);
    expect(held()).toBe(true);

    // A typed command runs at once too: its claim records its hold the same way.
    const newsBefore = gate.held;
    gate.close();
    try {
      const from = sandbox.requests.length;
      const typed = await slashCommand(other.base, SIGNING_SECRET, { user_id: 'UA', text: `resume 0003*210 ${CALL}`, channel_id: CH, response_url: api.responseUrl('/cmd/UA') });
      expect(typed.status).toBe(200);
      await waitUntil('the PUT and its read-back', () => sandbox.requests.slice(from).filter((q) => q.path.endsWith(`/${CALL}`)).length >= 2, { timeoutMs: 15_000 });
      const afterPut = sandbox.requests.length;
      await waitUntil('holder reads after the PUT', () => listReads(afterPut) >= 3 || undefined, { timeoutMs: 15_000 });
      expect(sandbox.world.calls.get(CALL)!.views[0]!.holder).toBeUndefined();
      await waitUntil('the hand-over waiting at the holder', () => gate.held > newsBefore || undefined, { timeoutMs: 15_000 });
      await holder.app.idle();
      expect(lines()).toHaveLength(1);
      expect(held()).toBe(true);
    } finally {
      gate.open();
    }
    await waitUntil('the resumed card with its line', () => (!held() && lines().length > 1) || undefined, { timeoutMs: 15_000 });
    const resumedAt = sandbox.requests.length;
    await waitUntil('holder reads after the hand-over', () => listReads(resumedAt) >= 3 || undefined, { timeoutMs: 15_000 });
    await other.app.idle();
    await holder.app.idle();
    expect(lines()).toEqual([expect.stringMatching(/^<@UA> put on hold the call.*: done$/), expect.stringMatching(/^<@UA> took .*off hold.*: done$/)]);
  }, 90_000);
});
