/**
 * Two replicas on one PostgreSQL store: a press on a board card delivered to the replica that
 * does not run the board. Its action's read-back reaches the holder through the holder's queue
 * (plain JSON) and is the card's new state there: the card shows it held, with one audit line,
 * and the only UAPI requests are the press's PUT and read-back (the board's polling is paused).
 * Skipped, with the reason printed, when no PostgreSQL answers.
 */
import { describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/sandbox/server.js';
import { SIGNING_SECRET } from './helpers/stack.js';
import { blockAction, blockActionPayload, slashCommand } from './helpers/signed.js';
import { type ShownMessage, cardsOf, headOf, trackPosts } from './helpers/board.js';
import { pgUnavailable, pgUrl } from './helpers/pg.js';
import { replicaApps } from './helpers/replica-apps.js';
import { waitUntil } from './helpers/wait.js';

if (!pgUrl) console.warn(`replicas.board-press: no PostgreSQL (${pgUnavailable}); skipped`);

const CH = 'CREPPRESS';
const CALL = SEED_IDS.seedCall;

describe.skipIf(!pgUrl)('a board press across replicas', () => {
  const r = replicaApps({
    schemaPrefix: 'callops_boardpress',
    pickupDelayMs: 0,
    coordinated: true,
    options: (coordination) => ({
      replicas: { queue: coordination!.queue, leases: coordination!.leases, ttlMs: 1500 },
      // Polling paused after the first read: what reads the PBX after the card is posted, the press caused.
      board: { timing: { liveMs: 600_000, idleMs: 600_000, hotMs: 600_000, maxBackoffMs: 600_000 } },
    }),
  });

  it("a Hold pressed through the other replica: the holder shows the press's read-back, one update and one line, no read of its own", async () => {
    const { apps, api, sandbox } = r;
    const posted = trackPosts(api);
    const holder = await waitUntil('a board holder', () => apps.find((a) => a.app.board.running), { timeoutMs: 20_000 });
    const other = apps.find((a) => a !== holder)!;
    await slashCommand(other.base, SIGNING_SECRET, { user_id: 'UA', text: 'watch 0003*210', channel_id: CH, response_url: api.responseUrl('/cmd/UA') });
    const card = await waitUntil('the board card', () => cardsOf(api, posted, CH, CALL)[0], { timeoutMs: 15_000 });
    await holder.app.idle();
    await other.app.idle();
    const uapiFrom = sandbox.requests.length;
    const slackSeq = api.calls.at(-1)!.seq + 1;

    const value = card.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.hold.01')?.value;
    expect(value).toBeDefined();
    await blockAction(
      other.base,
      SIGNING_SECRET,
      blockActionPayload({ user: 'UA', channel: CH, messageTs: card.ts, messageBlocks: card.blocks, actionId: 'call.hold.01', value: value!, responseUrl: api.responseUrl('/press') }),
    );
    const updates = () => api.calls.filter((c) => c.seq >= slackSeq && c.method === 'chat.update' && c.body.ts === card.ts);
    const lines = () => api.calls.filter((c) => c.seq >= slackSeq && c.method === 'chat.postMessage' && c.body.thread_ts === card.ts);
    await waitUntil('the held card', () => updates().find((c) => /is on hold/.test(headOf({ blocks: c.body.blocks } as ShownMessage))), { timeoutMs: 15_000 });
    await waitUntil('the audit line', () => lines()[0], { timeoutMs: 15_000 });
    await other.app.idle();
    await holder.app.idle();

    expect(
      sandbox.requests
        .slice(uapiFrom)
        .filter((r) => r.path.startsWith('/uapi/'))
        .map((r) => `${r.method} ${r.path}`),
    ).toEqual([`PUT /uapi/phoneCalls/@me/0003*210/${CALL}`, `GET /uapi/phoneCalls/@me/0003*210/${CALL}`]);
    expect(updates()).toHaveLength(1);
    expect(lines().map((c) => String(c.body.text))).toEqual([expect.stringMatching(/^<@UA> put on hold the call.*: done$/)]);
  }, 60_000);
});
