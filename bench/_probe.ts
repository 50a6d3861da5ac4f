import { randomBytes } from 'node:crypto';
import { SEED_IDS } from '../src/sandbox/server.js';
import { PostgresStore, TokenCipher } from '../src/store/index.js';
import { startStack, SIGNING_SECRET } from '../test/helpers/stack.js';
import { blockAction, blockActionPayload, slashCommand } from '../test/helpers/signed.js';
import { cardsOf, trackPosts } from '../test/helpers/board.js';
import { freshSchema, pgAdmin, pgUrl } from '../test/helpers/pg.js';

const CH = 'CPRESS';
const CALL = SEED_IDS.seedCall;
const headText = (blocks: unknown) => (blocks as Array<{ block_id?: string; text?: { text?: string } }> | undefined)?.find((b) => b.block_id === `${CALL}.head`)?.text?.text ?? '';
async function until<T>(fn: () => T | undefined): Promise<T> {
  for (;;) { const v = fn(); if (v !== undefined) return v; await new Promise((r) => setImmediate(r)); }
}
const log: string[] = [];
let t0 = 0;
const proto = PostgresStore.prototype as any;
const q = proto.query;
proto.query = async function (sql: string, params: unknown[]) {
  const s = performance.now();
  try { return await q.call(this, sql, params); } finally { if (t0) log.push(`${(s - t0).toFixed(1)}..${(performance.now() - t0).toFixed(1)} ${sql.replace(/\s+/g, ' ').slice(0, 70)}`); }
};
const b = proto.batch;
proto.batch = async function (steps: unknown[]) {
  const s = performance.now();
  try { return await b.call(this, steps); } finally { if (t0) log.push(`${(s - t0).toFixed(1)}..${(performance.now() - t0).toFixed(1)} BATCH ${steps.length}`); }
};
const schema = freshSchema('callops_probe');
const store = new PostgresStore({ connectionString: pgUrl!, cipher: TokenCipher.fromKey(randomBytes(32).toString('hex')), schema });
const s = await startStack({ store, pickupDelayMs: 0, supervisors: ['UA'], board: { timing: { liveMs: 600_000, idleMs: 600_000, hotMs: 600_000 } } });
const origFetch = globalThis.fetch;
try {
  const posted = trackPosts(s.api);
  await s.link('UA', '12', '0003*210');
  await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: 'watch 0003*210', channel_id: CH, response_url: s.api.responseUrl('/watch') });
  const card = await until(() => cardsOf(s.api, posted, CH, CALL)[0]);
  await s.slack.idle();
  for (let i = 0; i < 12; i++) {
    const shown = cardsOf(s.api, posted, CH, CALL)[0]!;
    const hold = i % 2 === 0;
    const actionId = hold ? 'call.hold.01' : 'call.resume.01';
    const button = shown.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId)!;
    const want = hold ? /is on hold/ : /is talking/;
    const seen = s.api.calls.length;
    const uapiSeen = s.sandbox.requests.length;
    const payload = blockActionPayload({ user: 'UA', channel: CH, messageTs: card.ts, messageBlocks: shown.blocks as never, actionId, value: button.value!, responseUrl: s.api.responseUrl('/press') });
    log.length = 0;
    t0 = performance.now();
    const tw = Date.now();
    await blockAction(s.base, SIGNING_SECRET, payload);
    const ack = performance.now() - t0;
    const final = await until(() => s.api.calls.slice(seen).find((c) => c.method === 'chat.update' && c.body.ts === card.ts && want.test(headText(c.body.blocks))));
    const end = performance.now() - t0;
    await s.slack.idle();
    t0 = 0;
    if (i >= 10) {
      console.log(`press ${i}: ack ${ack.toFixed(1)} final ${end.toFixed(1)} (slack at ${final.at - tw})`);
      console.log('  ' + log.join('\n  '));
      console.log('  slack: ' + s.api.calls.slice(seen).map((c) => `${c.method}@${c.at - tw}`).join(', '));
    }
  }
} finally {
  await s.close();
  await pgAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
}
