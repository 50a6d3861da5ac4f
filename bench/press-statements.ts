/**
 * `npm run bench -- press-db`: the database round trips of one press on a board card, on
 * PostgreSQL: a supervisor presses Hold, then Resume, on the seed call's card, BENCH_PRESSES
 * (20) times through the whole app (as in press-latency.ts), and every statement the store
 * sends to PostgreSQL from the press until the app is idle again is counted (BEGIN and COMMIT
 * included: each is a round trip). An input of the capacity model (README, Performance).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { SEED_IDS } from '../src/sandbox/server.js';
import { PostgresStore, TokenCipher } from '../src/store/index.js';
import { startStack, SIGNING_SECRET } from '../test/helpers/stack.js';
import { blockAction, blockActionPayload } from '../test/helpers/signed.js';
import { freshSchema, pgAdmin, pgUrl, pgUnavailable } from '../test/helpers/pg.js';
import { boardCardOfSeedCall, until } from './press-latency.js';

const PRESSES = Number(process.env.BENCH_PRESSES ?? 20);
const CH = 'CPRESSDB';
const CALL = SEED_IDS.seedCall;
const headText = (blocks: unknown) => (blocks as Array<{ block_id?: string; text?: { text?: string } }> | undefined)?.find((b) => b.block_id === `${CALL}.head`)?.text?.text ?? '';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** Every statement any pg client of this process sends, by its first words. */
function countStatements(): { counts: Map<string, number>; stop: () => void } {
  const counts = new Map<string, number>();
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function counted(this: unknown, config: unknown, ...rest: unknown[]) {
    const text = typeof config === 'string' ? config : (config as { text?: unknown } | undefined)?.text;
    if (typeof text === 'string') {
      const head = text.replace(/\s+/g, ' ').trim().slice(0, 50);
      counts.set(head, (counts.get(head) ?? 0) + 1);
    }
    return original.call(this, config, ...rest);
  };
  const stop = () => {
    proto.query = original;
  };
  return { counts, stop };
}

export async function pressStatementsBench(): Promise<void> {
  if (!pgUrl) {
    console.log(`press-db bench: no PostgreSQL (${pgUnavailable}); skipped`);
    return;
  }
  const schema = freshSchema('callops_bench');
  const store = new PostgresStore({ connectionString: pgUrl, cipher: TokenCipher.fromKey(randomBytes(32).toString('hex')), schema });
  // Board polling slowed right down: only the presses' own work reaches the store while counting.
  const s = await startStack({ store, pickupDelayMs: 0, supervisors: ['UA'], board: { timing: { liveMs: 600_000, idleMs: 600_000, hotMs: 600_000 } } });
  const counter = countStatements();
  try {
    const { card, shown: current } = await boardCardOfSeedCall(s, CH);
    const perPress: number[] = [];
    const byStatement = new Map<string, number>();
    for (let i = 0; i < PRESSES + 2; i++) {
      const shown = current();
      const hold = i % 2 === 0;
      const actionId = hold ? 'call.hold.01' : 'call.resume.01';
      const button = shown.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
      if (!button?.value) throw new Error(`press-db bench: no ${actionId} button on the card`);
      const want = hold ? /is on hold/ : /is talking/;
      const seen = s.api.calls.length;
      counter.counts.clear();
      await blockAction(
        s.base,
        SIGNING_SECRET,
        blockActionPayload({ user: 'UA', channel: CH, messageTs: card.ts, messageBlocks: shown.blocks as never, actionId, value: button.value, responseUrl: s.api.responseUrl('/press') }),
      );
      await until('the final card', () => s.api.calls.slice(seen).find((c) => c.method === 'chat.update' && c.body.ts === card.ts && want.test(headText(c.body.blocks))));
      await s.slack.idle();
      if (i < 2) continue; // warm up
      perPress.push([...counter.counts.values()].reduce((a, b) => a + b, 0));
      for (const [q, n] of counter.counts) byStatement.set(q, (byStatement.get(q) ?? 0) + n);
    }
    const m = median(perPress);
    console.log(`\nDatabase round trips of a Hold or Resume press on a board card (PostgreSQL, ${perPress.length} presses, press in until the app is idle again):`);
    console.log(`  statements per press: median ${m}, min ${Math.min(...perPress)}, max ${Math.max(...perPress)}`);
    for (const [q, n] of [...byStatement].sort((a, b) => b[1] - a[1])) console.log(`    ${(n / perPress.length).toFixed(1).padStart(5)}  ${q}`);
  } finally {
    counter.stop();
    await s.close();
    await pgAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  }
}
