/**
 * Board writes fenced by the lease epoch. Two holders of one board: the first's lease is taken
 * over (the epoch goes up, the new holder's board starts and raises its fence in the store), and
 * the first's late write (a read it finished after losing the lease) is refused by the store
 * and nothing of it reaches the board's Slack output. On SQLite and PostgreSQL (with the
 * PostgreSQL leases table). And a holder whose lease renewals hang gives the board up by itself
 * once its lease may have expired.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Board } from '../src/board/board.js';
import type { BoardOutput } from '../src/board/output.js';
import { Escalation } from '../src/board/escalation.js';
import { CardLedger } from '../src/board/ledger.js';
import { LeaseKeeper, type LeaseManager, MemoryLeases, PgLeases } from '../src/coordination/index.js';
import { TokenCipher } from '../src/store/crypto.js';
import { PostgresStore } from '../src/store/postgres.js';
import { SqliteStore } from '../src/store/sqlite.js';
import type { BoardFence, Store } from '../src/store/types.js';
import type { PhoneCall } from '../src/uapi/schemas.js';
import { freshSchema, pgAdmin, pgUrl } from './helpers/pg.js';
import { waitUntil } from './helpers/wait.js';

const cipher = TokenCipher.fromKey(TokenCipher.generateKey());
const KEY = 'board:T1';
const watch = () => ({ teamId: 'T1', channelId: 'C1', extension: '0003*210', key: 'T1|C1|0003*210', seen: new Set<string>() });

function call(status: 3 | 5): PhoneCall {
  return {
    id: 'call-1',
    extension: '0003*210',
    published: '2026-01-01T00:00:00Z',
    phoneCallView: [{ id: 'v1', extension: '0003*210', source: ['0003*100'], destination: ['0003*210'], status, ringing: '2026-01-01T00:00:00Z' }],
  } as unknown as PhoneCall;
}

function recorder(): BoardOutput & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    card: (ref, s) => sent.push(`card ${ref.phoneCallId} ${s.state}`),
    audit: (ref, line) => sent.push(`audit ${ref.phoneCallId} ${line}`),
    alert: (ref, text) => sent.push(`alert ${ref.phoneCallId} ${text}`),
    notice: (_t, _c, text) => sent.push(`notice ${text}`),
  };
}

async function twoHolders(store: Store, leases: LeaseManager, expire: () => Promise<void>) {
  const epochA = await leases.acquireEpoch(KEY, 'replica-a', 60_000);
  expect(epochA).toBeDefined();
  const outA = recorder();
  let fenceA: BoardFence | undefined;
  const ledgerA = new CardLedger({ store, escalation: new Escalation(), isQueue: () => false, output: () => outA, now: Date.now, fence: () => fenceA });
  // What the board does on gaining the lease: raise the fence, then write under it.
  fenceA = { key: KEY, epoch: epochA! };
  await store.raiseBoardFence(fenceA);
  const w = watch();
  w.seen = await ledgerA.reconcile(w, [call(3)]);
  expect(outA.sent.some((s) => s.startsWith('card call-1 ringing'))).toBe(true);

  // A's connection hangs; its lease expires and replica B takes the board over.
  await expire();
  const epochB = await leases.acquireEpoch(KEY, 'replica-b', 60_000);
  expect(epochB).toBe(epochA! + 1);
  const board = new Board({ store, clientFor: () => Promise.reject(new Error('no PBX here')), isLinkProblem: () => false });
  await board.start({ key: KEY, epoch: epochB! });
  expect(board.liveCalls('T1', 'C1').map((s) => s.state)).toEqual(['ringing']);

  // A still thinks it holds the board: its late read (the call answered) is refused.
  const before = outA.sent.length;
  await ledgerA.reconcile(w, [call(5)]);
  expect(outA.sent.slice(before)).toEqual([]);
  expect(ledgerA.superseded).toBe(true);
  const stored = await store.getBoardCard('T1', 'C1', 'call-1');
  expect(JSON.parse(stored!.state).state).toBe('ringing');
  const audit = await store.listAuditEntries('T1', 'C1', 'call-1');
  expect(audit.map((a) => a.text).join('\n')).not.toMatch(/on call/);
  board.stop();
}

describe('board writes fenced by the lease epoch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callops-fencing-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("SQLite: the old holder's late write is refused and reaches no Slack output", async () => {
    let now = Date.UTC(2026, 0, 1);
    const leases = new MemoryLeases(() => now);
    const store = new SqliteStore({ file: join(dir, 'callops.sqlite'), cipher });
    try {
      await twoHolders(store, leases, async () => {
        now += 61_000;
      });
    } finally {
      await store.close();
    }
  });

  it.skipIf(!pgUrl)("PostgreSQL: the old holder's late write is refused and reaches no Slack output", async () => {
    const schema = freshSchema();
    const store = new PostgresStore({ connectionString: pgUrl!, cipher, schema, maxConnections: 2 });
    const leases = new PgLeases({ connectionString: pgUrl!, schema });
    try {
      await store.init();
      await leases.acquire('warm-up', 'x', 1);
      // The lease runs out as if A had stopped renewing (the database's clock judges it).
      await twoHolders(store, leases, async () => {
        await pgAdmin(`UPDATE "${schema}".callops_leases SET expires_at = clock_timestamp() - interval '1 second' WHERE key = $1`, [KEY]);
      });
    } finally {
      await leases.close();
      await store.close();
      await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  it('a holder whose renewals hang loses the lease in its own mind once it may have expired', async () => {
    const inner = new MemoryLeases();
    let hang = false;
    const hanging: LeaseManager = {
      acquire: (k, o, t) => inner.acquire(k, o, t),
      acquireEpoch: (k, o, t) => (hang ? new Promise(() => undefined) : inner.acquireEpoch(k, o, t)),
      release: (k, o) => inner.release(k, o),
      holder: (k) => inner.holder(k),
      close: () => inner.close(),
    };
    const events: string[] = [];
    const keeper = new LeaseKeeper({
      leases: hanging,
      owner: 'replica-a',
      ttlMs: 300,
      renewEveryMs: 100,
      onGained: (k, e) => events.push(`gained ${k} ${e}`),
      onLost: (k) => events.push(`lost ${k}`),
    });
    keeper.want([KEY]);
    keeper.start();
    try {
      await waitUntil('the lease taken', () => events.includes(`gained ${KEY} 1`));
      hang = true;
      await waitUntil('the lease given up while renewals hang', () => events.includes(`lost ${KEY}`), { timeoutMs: 5000 });
      expect(keeper.held()).toEqual([]);
    } finally {
      await keeper.abandon();
    }
  });
});
