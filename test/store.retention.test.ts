/**
 * Retention: 24 hours of generated board traffic (calls appearing on a watched extension and
 * ending), with request claims, OAuth states, open modals and call cards beside it, on a fake
 * clock. The board's own ledger writes the cards and audit lines, the retention sweeper purges
 * on its lease, and after the retention window the store's row counts and the ledger's maps stay
 * flat instead of growing with every call ever seen. On SQLite and on PostgreSQL. Beside it,
 * the sweep also removes the job queues of replicas that are gone.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Escalation } from '../src/board/escalation.js';
import { CardLedger } from '../src/board/ledger.js';
import { MemoryLeases, ReplicaPresence, openCoordination, retireLeftoverQueues } from '../src/coordination/index.js';
import { BOARD_HOLDER_QUEUE_PREFIX } from '../src/slack/board/holder.js';
import { RetentionSweeper } from '../src/retention.js';
import { TokenCipher } from '../src/store/crypto.js';
import { PostgresStore } from '../src/store/postgres.js';
import { SqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/types.js';
import type { PhoneCall } from '../src/uapi/schemas.js';
import { freshSchema, pgAdmin, pgUrl } from './helpers/pg.js';

const TABLES = ['board_cards', 'audit_entries', 'board_outbox', 'call_cards', 'request_claims', 'oauth_states', 'open_modals'] as const;
type Counts = Record<(typeof TABLES)[number], number>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const STEP = 2 * MINUTE;
const RETENTION = 2 * HOUR;
const CALL_STEPS = 3;

const cipher = TokenCipher.fromKey(TokenCipher.generateKey());

function callOf(id: string, answered: boolean): PhoneCall {
  return {
    id,
    extension: '0003*210',
    published: '2026-01-01T00:00:00Z',
    self: undefined,
    phoneCallView: [
      {
        id: `${id}-v`,
        extension: '0003*210',
        source: ['0003*100'],
        destination: ['0003*210'],
        status: answered ? 5 : 3,
        ringing: '2026-01-01T00:00:00Z',
        ...(answered && { answered: '2026-01-01T00:00:05Z' }),
      },
    ],
  } as unknown as PhoneCall;
}

async function run24Hours(store: Store, count: () => Promise<Counts>) {
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;
  const ledger = new CardLedger({ store, escalation: new Escalation(), isQueue: () => false, output: () => undefined, now: clock });
  const sweeper = new RetentionSweeper({ store, leases: new MemoryLeases(clock), owner: 'replica-a', retentionMs: RETENTION, everyMs: 30 * MINUTE, now: clock });
  const watch = { teamId: 'T1', channelId: 'C1', extension: '0003*210', key: 'T1|C1|0003*210', seen: new Set<string>() };
  const live: { id: string; endsAt: number }[] = [];
  const hourly: { hour: number; rows: Counts; maps: ReturnType<CardLedger['sizes']> }[] = [];
  let started = 0;
  for (let step = 1; now < Date.UTC(2026, 0, 2); step++) {
    now += STEP;
    const id = `call-${step}`;
    live.push({ id, endsAt: step + CALL_STEPS });
    started++;
    ledger.hint(id, { from: '0003*300', mode: 'whisper' });
    while (live.length && live[0]!.endsAt <= step) live.shift();
    watch.seen = await ledger.reconcile(
      watch,
      live.map((c) => callOf(c.id, c.endsAt - step < CALL_STEPS)),
    );
    await store.claimOnce(`press:${id}`, new Date(now + 5 * MINUTE), new Date(now));
    await store.createOAuthState({ state: `state-${id}`, teamId: 'T1', slackUserId: 'U1', expiresAt: new Date(now + 10 * MINUTE) });
    await store.saveOpenModal(`modal-${id}`, '{}', new Date(now + 15 * MINUTE), new Date(now));
    await store.saveCallCard({ teamId: 'T1', channelId: 'C2', messageTs: `${step}.000100`, phoneCallId: id, extension: '0003*210', updatedAt: new Date(now) });
    if (step % 15 === 0) await sweeper.sweep();
    if (step % 30 === 0) hourly.push({ hour: step / 30, rows: await count(), maps: ledger.sizes() });
  }
  return { hourly, started };
}

function expectFlat(result: Awaited<ReturnType<typeof run24Hours>>) {
  const { hourly, started } = result;
  expect(hourly).toHaveLength(24);
  // Each call leaves a board card, a call card and audit lines; without purging they pile up.
  expect(started).toBe(720);
  const settled = hourly.filter((h) => h.hour >= 4);
  for (const table of TABLES) {
    const values = settled.map((h) => h.rows[table]);
    const first = values[0]!;
    expect(first, table).toBeGreaterThan(0);
    // Flat after the window: the last hour holds no more than the fourth (a little slack for
    // audit lines written in the background) and far less than 24 hours' worth.
    expect(Math.max(...values), `${table} per hour: ${values.join(',')}`).toBeLessThanOrEqual(Math.ceil(first * 1.1) + 2);
    expect(values.at(-1)!, table).toBeLessThan(started / 2);
  }
  for (const h of settled) {
    expect(h.maps.cards).toBeLessThanOrEqual(CALL_STEPS + 1);
    expect(h.maps.hintedCalls).toBeLessThanOrEqual(CALL_STEPS + 1);
    expect(h.maps.alerts).toBeLessThanOrEqual(CALL_STEPS + 1);
  }
}

describe('retention: 24 hours of traffic on a fake clock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callops-retention-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SQLite: row counts and map sizes stay flat after the retention window', async () => {
    const file = join(dir, 'callops.sqlite');
    const store = new SqliteStore({ file, cipher });
    await store.init();
    const db = new Database(file, { readonly: true });
    try {
      const count = async () => Object.fromEntries(TABLES.map((t) => [t, (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n])) as Counts;
      expectFlat(await run24Hours(store, count));
    } finally {
      db.close();
      await store.close();
    }
  }, 60_000);

  it.skipIf(!pgUrl)(
    'PostgreSQL: row counts and map sizes stay flat after the retention window',
    async () => {
      const schema = freshSchema();
      const store = new PostgresStore({ connectionString: pgUrl!, cipher, schema, maxConnections: 2 });
      try {
        await store.init();
        const count = async () => {
          const out: Partial<Counts> = {};
          for (const t of TABLES) out[t] = Number((await pgAdmin<{ n: string }>(`SELECT COUNT(*) AS n FROM "${schema}".${t}`))[0]!.n);
          return out as Counts;
        };
        expectFlat(await run24Hours(store, count));
      } finally {
        await store.close();
        await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }
    },
    120_000,
  );
});

describe('retention: job queues left by replicas that are gone', () => {
  for (const [name, databaseUrl] of [
    ['in-process', undefined],
    ['PostgreSQL (pg-boss)', pgUrl],
  ] as const) {
    it.skipIf(name !== 'in-process' && !pgUrl)(
      `${name}: a sweep removes the queue of a killed replica with its jobs, and keeps a live replica's and the shared ones`,
      async () => {
        const schema = freshSchema('callops_queues');
        const c = await openCoordination({ ...(databaseUrl && { databaseUrl, schema }) });
        const presence = new ReplicaPresence(c.leases, 'replica-a', () => undefined);
        try {
          await presence.start();
          // replica-a runs; replica-b was killed and left its queue (and a job in it) behind.
          for (const q of [`${BOARD_HOLDER_QUEUE_PREFIX}replica-a`, `${BOARD_HOLDER_QUEUE_PREFIX}replica-b`, 'call-follow-up']) await c.queue.send(q, { kind: 'sync' }, { startAfter: HOUR });
          const sweeper = new RetentionSweeper({
            store: { purgeExpired: async () => ({ boardCards: 0, auditEntries: 0, outboxIntents: 0, callCards: 0, cardVersions: 0, claims: 0, oauthStates: 0, openModals: 0 }) },
            leases: c.leases,
            owner: 'replica-a',
            retentionMs: RETENTION,
            retireQueues: () => retireLeftoverQueues({ queue: c.queue, leases: c.leases, perReplicaPrefix: BOARD_HOLDER_QUEUE_PREFIX }),
          });
          expect(await sweeper.sweep()).toMatchObject({ queues: 1 });
          const left = await c.queue.queues();
          expect(left).toEqual(expect.arrayContaining([`${BOARD_HOLDER_QUEUE_PREFIX}replica-a`, 'call-follow-up']));
          expect(left).not.toContain(`${BOARD_HOLDER_QUEUE_PREFIX}replica-b`);
          if (databaseUrl) {
            // pg-boss's own table: the queue (and with it its partition) is gone, the others stay.
            const rows = await pgAdmin<{ name: string }>(`SELECT name FROM "${schema}_jobs".queue ORDER BY name`);
            expect(rows.map((r) => r.name)).toEqual(['board-holder.replica-a', 'call-follow-up']);
          }
        } finally {
          await presence.stop();
          await c.close();
          if (databaseUrl) {
            await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
            await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`);
          }
        }
      },
      60_000,
    );
  }
});
