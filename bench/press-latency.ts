/**
 * `npm run bench -- press`: a supervisor presses Hold, then Resume, on the
 * seed call's board card, again and again, through the whole app (signed
 * press in, sandbox PBX and recording Slack API on loopback). For each press:
 * the time from sending the signed press until Slack got the card's final
 * write (the call shown on hold, or on call again), the part of it spent
 * waiting for the PBX (the UAPI requests' own durations, as the adapter
 * measured them), what is left (callops' own time: store, Slack, our code),
 * and how many UAPI requests it took. On SQLite, and on PostgreSQL when one
 * answers (TEST_DATABASE_URL, else 127.0.0.1:5432/test).
 */
import { randomBytes } from 'node:crypto';
import { SEED_IDS } from '../src/sandbox/server.js';
import { PostgresStore, TokenCipher, type Store } from '../src/store/index.js';
import type { UapiRequestSample } from '../src/metrics.js';
import { startStack, SIGNING_SECRET, type Stack } from '../test/helpers/stack.js';
import { blockAction, blockActionPayload, slashCommand } from '../test/helpers/signed.js';
import { cardsOf, trackPosts } from '../test/helpers/board.js';
import { goal } from './goals.js';
import { freshSchema, pgAdmin, pgUrl } from '../test/helpers/pg.js';

const PRESSES = Number(process.env.BENCH_PRESSES ?? 40);
const CH = 'CPRESS';
const CALL = SEED_IDS.seedCall;
/** The goal of callops' own time per press (median), beyond the PBX's. */
export const PRESS_GOAL_MS = 8;

export interface PressFigures {
  store: string;
  presses: number;
  medianTotalMs: number;
  medianPbxMs: number;
  medianOwnMs: number;
  p95OwnMs: number;
  uapiRequests: number;
  /** The UAPI requests of the last press, in order. */
  routes: string;
}

const headText = (blocks: unknown) => (blocks as Array<{ block_id?: string; text?: { text?: string } }> | undefined)?.find((b) => b.block_id === `${CALL}.head`)?.text?.text ?? '';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(0.95 * xs.length))]!;

/** Polls `fn` each turn of the event loop until it answers (the press benches' wait). */
export async function until<T>(what: string, fn: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`press bench: ${what} did not happen in ${ms} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

/** UA (VoipNow user 12) watches 0003*210 in `channel`; answers the seed call's board card once the app is idle, and how to read it as shown now. */
export async function boardCardOfSeedCall(s: Stack, channel: string) {
  const posted = trackPosts(s.api);
  await s.link('UA', '12', '0003*210');
  await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: 'watch 0003*210', channel_id: channel, response_url: s.api.responseUrl('/watch') });
  const card = await until('the seed call card', () => cardsOf(s.api, posted, channel, CALL)[0]);
  await s.slack.idle();
  return { card, shown: () => cardsOf(s.api, posted, channel, CALL)[0]! };
}

async function pressRun(label: string, store?: Store): Promise<PressFigures> {
  // Board polling slowed right down: only the presses' own requests reach the PBX while measuring.
  const s: Stack = await startStack({ ...(store && { store }), pickupDelayMs: 0, supervisors: ['UA'], board: { timing: { liveMs: 600_000, idleMs: 600_000, hotMs: 600_000 } } });
  try {
    const { card, shown: current } = await boardCardOfSeedCall(s, CH);
    const samples: Array<UapiRequestSample & { at: number }> = [];
    const metrics = s.slack.metrics as { uapiRequest: (e: UapiRequestSample) => void };
    const record = metrics.uapiRequest.bind(metrics);
    metrics.uapiRequest = (e) => {
      samples.push({ ...e, at: Date.now() });
      record(e);
    };
    const total: number[] = [];
    const pbx: number[] = [];
    const requests: number[] = [];
    let routes = '';
    for (let i = 0; i < PRESSES + 4; i++) {
      const shown = current();
      const hold = i % 2 === 0;
      const actionId = hold ? 'call.hold.01' : 'call.resume.01';
      const button = shown.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
      if (!button?.value) throw new Error(`press bench: no ${actionId} button on the card`);
      const want = hold ? /is on hold/ : /is talking/;
      const seen = s.api.calls.length;
      samples.length = 0;
      const payload = blockActionPayload({
        user: 'UA',
        channel: CH,
        messageTs: card.ts,
        messageBlocks: shown.blocks as never,
        actionId,
        value: button.value,
        responseUrl: s.api.responseUrl('/press'),
      });
      const t0 = Date.now();
      await blockAction(s.base, SIGNING_SECRET, payload);
      const final = await until('the final card', () => s.api.calls.slice(seen).find((c) => c.method === 'chat.update' && c.body.ts === card.ts && want.test(headText(c.body.blocks))));
      // Both ends are Date.now() (the Slack API records `at` with it): whole milliseconds, so medians of many presses.
      const ms = final.at - t0;
      await s.slack.idle();
      if (i < 4) continue; // warm up
      total.push(ms);
      pbx.push(samples.filter((e) => e.at <= final.at).reduce((n, e) => n + e.ms, 0));
      // Every request the press caused, the ones after its final card included.
      requests.push(samples.length);
      routes = samples.map((e) => `${e.method} ${e.route}${e.at <= final.at ? '' : ' (after the card)'}`).join(', ');
    }
    const own = total.map((t, i) => t - pbx[i]!);
    return {
      store: label,
      presses: total.length,
      medianTotalMs: median(total),
      medianPbxMs: median(pbx),
      medianOwnMs: median(own),
      p95OwnMs: p95(own),
      uapiRequests: median(requests),
      routes,
    };
  } finally {
    await s.close();
  }
}

export async function pressBench(): Promise<PressFigures[]> {
  const out: PressFigures[] = [await pressRun('SQLite')];
  if (pgUrl) {
    const schema = freshSchema('callops_bench');
    const store = new PostgresStore({ connectionString: pgUrl, cipher: TokenCipher.fromKey(randomBytes(32).toString('hex')), schema });
    try {
      out.push(await pressRun('PostgreSQL', store));
    } finally {
      await pgAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    }
  } else {
    console.log('  (no PostgreSQL answered: the press figure is on SQLite only)');
  }
  console.log(`\nA Hold or Resume press on a board card, ${PRESSES} presses per store, signed press in until Slack has the final card:`);
  for (const f of out) {
    console.log(
      `  ${f.store.padEnd(10)} total p50 ${f.medianTotalMs.toFixed(1)} ms  PBX p50 ${f.medianPbxMs.toFixed(1)} ms  own p50 ${f.medianOwnMs.toFixed(1)} ms (p95 ${f.p95OwnMs.toFixed(1)} ms)  UAPI requests ${f.uapiRequests}`,
    );
    console.log(`             last press: ${f.routes}`);
    goal(`press own time (${f.store})`, `${f.medianOwnMs.toFixed(1)} ms median beyond the PBX's ${f.medianPbxMs.toFixed(1)} ms`, `≤ ${PRESS_GOAL_MS} ms`, f.medianOwnMs <= PRESS_GOAL_MS);
    goal(`press UAPI requests (${f.store})`, `${f.uapiRequests}`, '2', f.uapiRequests <= 2);
  }
  return out;
}
