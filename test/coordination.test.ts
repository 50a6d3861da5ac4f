/**
 * One contract suite for the coordination layer, run against the in-process implementation
 * and against PostgreSQL (pg-boss queue + leases table, each test in a fresh random schema).
 * Waits are polled predicates with generous deadlines, never fixed sleeps.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LeaseKeeper,
  MemoryJobQueue,
  openCoordination,
  MemoryLeases,
  PgBossQueue,
  PgLeases,
  ReplicaPresence,
  retireLeftoverQueues,
  uuidFromKey,
  type Job,
  type JobQueue,
  type LeaseManager,
} from '../src/coordination/index.js';
import { freshSchema, pgAdmin, pgRequired, pgUnavailable, pgUrl } from './helpers/pg.js';
import { waitUntil } from './helpers/wait.js';

/** One isolated world: `queue()` and `leases()` give peers sharing it, as replicas share a database. */
interface World {
  queue(): Promise<JobQueue>;
  leases(): LeaseManager;
  dispose(): Promise<void>;
}

interface Backend {
  name: string;
  world(): Promise<World>;
}

const memory: Backend = {
  name: 'in-process',
  async world() {
    // In one process the queue and the leases are shared objects; "peers" are the same instance.
    const queue = new MemoryJobQueue();
    const leases = new MemoryLeases();
    return {
      async queue() {
        await queue.start();
        return queue;
      },
      leases: () => leases,
      dispose: () => queue.stop(),
    };
  },
};

const postgres: Backend = {
  name: 'PostgreSQL (pg-boss)',
  async world() {
    const schema = freshSchema('callops_coord');
    const queues: PgBossQueue[] = [];
    const leases: PgLeases[] = [];
    return {
      async queue() {
        const q = new PgBossQueue({ connectionString: pgUrl!, schema: `${schema}_jobs`, pollingIntervalSeconds: 0.5, maxConnections: 3 });
        queues.push(q);
        await q.start();
        return q;
      },
      leases() {
        const l = new PgLeases({ connectionString: pgUrl!, schema, maxConnections: 2 });
        leases.push(l);
        return l;
      },
      async dispose() {
        await Promise.all(queues.map((q) => q.stop()));
        await Promise.all(leases.map((l) => l.close()));
        await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`);
      },
    };
  },
};

function contract(backend: Backend) {
  describe(`coordination contract: ${backend.name}`, () => {
    let world: World;
    beforeEach(async () => {
      world = await backend.world();
    });
    afterEach(async () => {
      await world.dispose();
    });

    describe('job queue', () => {
      it('hands a job with its data to a worker, once', async () => {
        const q = await world.queue();
        const seen: Job<{ call: string }>[] = [];
        await q.work<{ call: string }>('followups', async (job) => void seen.push(job));
        const id = await q.send('followups', { call: 'b817' });
        expect(id).toEqual(expect.any(String));
        await waitUntil('the job ran', () => seen.length === 1, 20_000);
        expect(seen[0]).toMatchObject({ id, queue: 'followups', data: { call: 'b817' } });
        await waitUntil('the queue is empty', async () => (await q.stats('followups')).depth === 0, 20_000);
        expect(seen).toHaveLength(1);
      });

      it('a failing job is tried again alone: the jobs waiting with it run once each', async () => {
        const q = await world.queue();
        for (let n = 0; n < 5; n++) await q.send('batch', { n }, { retryLimit: 1 });
        const runs: number[] = [];
        let failedOnce = false;
        await q.work<{ n: number }>('batch', async (job) => {
          runs.push(job.data.n);
          if (job.data.n === 2 && !failedOnce) {
            failedOnce = true;
            throw new Error('first try fails');
          }
        });
        await waitUntil('every job ran and the failed one again', () => runs.length >= 6, 20_000);
        await waitUntil('the queue is empty', async () => (await q.stats('batch')).depth === 0, 20_000);
        expect([...runs].sort()).toEqual([0, 1, 2, 2, 3, 4]);
      });

      it('accepts a key once: a second send with the same key (from any peer) is dropped', async () => {
        const a = await world.queue();
        const b = await world.queue();
        expect(await a.send('followups', { n: 1 }, { key: 'call-1' })).toEqual(expect.any(String));
        expect(await b.send('followups', { n: 2 }, { key: 'call-1' })).toBeUndefined();
        expect(await a.send('followups', { n: 3 }, { key: 'call-2' })).toEqual(expect.any(String));
        expect((await a.stats('followups')).depth).toBe(2);
      });

      it('reports depth and the age of the oldest waiting job', async () => {
        const q = await world.queue();
        expect(await q.stats('board-writes')).toEqual({ depth: 0, oldestAgeSeconds: 0 });
        await q.send('board-writes', { i: 1 });
        await q.send('board-writes', { i: 2 });
        const s = await q.stats('board-writes');
        expect(s.depth).toBe(2);
        expect(s.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
      });

      it('remove() deletes a queue with its waiting jobs and stops working it', async () => {
        const q = await world.queue();
        const seen: number[] = [];
        await q.send('board-holder.gone', { i: 1 }, { startAfter: 60_000 });
        expect((await q.stats('board-holder.gone')).depth).toBe(1);
        await q.remove('board-holder.gone');
        expect((await q.stats('board-holder.gone')).depth).toBe(0);
        // Worked again after removal, it is a new empty queue.
        await q.work<{ i: number }>('board-holder.gone', async (job) => void seen.push(job.data.i));
        await q.send('board-holder.gone', { i: 2 });
        await waitUntil('the new job ran', () => seen.length === 1, 20_000);
        expect(seen).toEqual([2]);
      });

      it("retiring left-over queues removes a gone replica's queue with its jobs and the retired names, and keeps the rest", async () => {
        const q = await world.queue();
        const other = await world.queue();
        const leases = world.leases();
        const alive = new ReplicaPresence(leases, 'alive', () => undefined, 5000);
        await alive.start();
        for (const name of ['board-holder.alive', 'board-holder.gone', 'call-follow-up', 'old-queue']) await q.send(name, { for: name }, { startAfter: 60_000 });
        expect(await other.queues()).toEqual(expect.arrayContaining(['board-holder.alive', 'board-holder.gone', 'call-follow-up', 'old-queue']));
        const rules = { queue: other, leases, perReplicaPrefix: 'board-holder.', retired: ['old-queue'] };
        expect(await retireLeftoverQueues(rules)).toEqual(['board-holder.gone', 'old-queue']);
        const left = await q.queues();
        expect(left).toEqual(expect.arrayContaining(['board-holder.alive', 'call-follow-up']));
        expect(left).not.toContain('board-holder.gone');
        expect(left).not.toContain('old-queue');
        expect((await q.stats('board-holder.alive')).depth).toBe(1);
        expect(await retireLeftoverQueues(rules)).toEqual([]);
        // A replica that stops hands its presence back; its queue is left over from then on.
        await alive.stop();
        expect(await retireLeftoverQueues(rules)).toEqual(['board-holder.alive']);
      });

      it('does not start a job before startAfter', async () => {
        const q = await world.queue();
        const ran: number[] = [];
        await q.work<{ i: number }>('later', async (job) => void ran.push(job.data.i));
        const sentAt = Date.now();
        await q.send('later', { i: 1 }, { startAfter: 1500 });
        await waitUntil('the delayed job ran', () => ran.length === 1, 20_000);
        expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1400);
      });

      it('tries a failed job again', async () => {
        const q = await world.queue();
        let tries = 0;
        await q.work('flaky', async () => {
          tries++;
          if (tries === 1) throw new Error('first try fails');
        });
        await q.send('flaky', {}, { retryLimit: 2 });
        await waitUntil('the retry succeeded', () => tries === 2, 20_000);
      });

      it('gives each job to exactly one worker across peers', async () => {
        const a = await world.queue();
        const b = await world.queue();
        const handled: string[] = [];
        await a.work<{ i: number }>('shared', async (job) => void handled.push(`${job.data.i}`));
        await b.work<{ i: number }>('shared', async (job) => void handled.push(`${job.data.i}`));
        for (let i = 0; i < 12; i++) await (i % 2 ? a : b).send('shared', { i });
        await waitUntil('all 12 jobs ran', () => handled.length >= 12, 20_000);
        await waitUntil('the queue is empty', async () => (await a.stats('shared')).depth === 0, 20_000);
        expect([...handled].sort((x, y) => Number(x) - Number(y))).toEqual(Array.from({ length: 12 }, (_, i) => `${i}`));
      });

      it('stop() waits for a running job to finish', async () => {
        const q = await world.queue();
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let started = false;
        let finished = false;
        await q.work('slow', async () => {
          started = true;
          await gate;
          finished = true;
        });
        await q.send('slow', {});
        await waitUntil('the job started', () => started, 20_000);
        const stopping = q.stop();
        release();
        await stopping;
        expect(finished).toBe(true);
      });
    });

    describe('leases', () => {
      it('one owner at a time; the owner renews; release frees it', async () => {
        const a = world.leases();
        const b = world.leases();
        expect(await a.acquire('ext:0003*210', 'replica-a', 10_000)).toBe(true);
        expect(await b.acquire('ext:0003*210', 'replica-b', 10_000)).toBe(false);
        expect(await a.acquire('ext:0003*210', 'replica-a', 10_000)).toBe(true);
        expect(await b.holder('ext:0003*210')).toBe('replica-a');
        await b.release('ext:0003*210', 'replica-b'); // not b's: no effect
        expect(await a.holder('ext:0003*210')).toBe('replica-a');
        await a.release('ext:0003*210', 'replica-a');
        expect(await a.holder('ext:0003*210')).toBeUndefined();
        expect(await b.acquire('ext:0003*210', 'replica-b', 10_000)).toBe(true);
      });

      it('an expired lease can be taken by another owner', async () => {
        const a = world.leases();
        const b = world.leases();
        expect(await a.acquire('ext:1', 'replica-a', 300)).toBe(true);
        await waitUntil('the lease expired', async () => (await b.holder('ext:1')) === undefined, 20_000);
        expect(await b.acquire('ext:1', 'replica-b', 10_000)).toBe(true);
        expect(await a.acquire('ext:1', 'replica-a', 10_000)).toBe(false);
      });

      it('of many concurrent takers exactly one wins', async () => {
        const managers = Array.from({ length: 5 }, () => world.leases());
        const wins = await Promise.all(managers.map((m, i) => m.acquire('ext:race', `replica-${i}`, 10_000)));
        expect(wins.filter(Boolean)).toHaveLength(1);
      });

      it('a keeper that dies without releasing is replaced by another once its lease expires; stop() hands it back', async () => {
        const key = 'ext:0003*210';
        const events: string[] = [];
        const keeper = (owner: string) =>
          new LeaseKeeper({
            leases: world.leases(),
            owner,
            ttlMs: 1000,
            renewEveryMs: 200,
            onGained: (k) => events.push(`${owner} gained ${k}`),
            onLost: (k) => events.push(`${owner} lost ${k}`),
          });
        const a = keeper('replica-a');
        a.want([key]);
        await a.tick();
        a.start();
        const b = keeper('replica-b');
        b.want([key]);
        b.start();
        await b.tick(); // b has competed and lost while a renews
        expect(a.held()).toEqual([key]);
        expect(b.held()).toEqual([]);

        await a.abandon(); // as SIGKILL: no release
        const died = Date.now();
        await waitUntil('b took over', () => b.held().includes(key), 20_000);
        const tookMs = Date.now() - died;
        expect(events).toEqual([`replica-a gained ${key}`, `replica-b gained ${key}`]);
        console.log(`[coordination] ${backend.name}: takeover ${tookMs} ms after the holder died (ttl 1000 ms, renew every 200 ms)`);

        await b.stop(); // graceful: hands the lease back at once
        expect(await world.leases().holder(key)).toBeUndefined();
        expect(events.at(-1)).toBe(`replica-b lost ${key}`);
      });
    });
  });
}

contract(memory);
if (pgUrl) contract(postgres);
else if (pgRequired) {
  it('connects to TEST_DATABASE_URL', () => {
    throw new Error(`TEST_DATABASE_URL is set but PostgreSQL is unreachable: ${pgUnavailable}`);
  });
} else {
  console.warn(`[coordination tests] Skipping PostgreSQL: ${pgUnavailable}`);
  describe.skip(`coordination contract: PostgreSQL (skipped: ${pgUnavailable})`, () => {
    it('needs a PostgreSQL server', () => undefined);
  });
}

describe('openCoordination', () => {
  it('is in-process without a database URL', async () => {
    const c = await openCoordination({});
    try {
      expect(c.queue).toBeInstanceOf(MemoryJobQueue);
      expect(c.leases).toBeInstanceOf(MemoryLeases);
    } finally {
      await c.close();
    }
  });

  it.skipIf(!pgUrl)('is pg-boss and the leases table with a database URL, in the given schema', async () => {
    const schema = freshSchema('callops_open');
    const c = await openCoordination({ databaseUrl: pgUrl!, schema });
    try {
      expect(c.queue).toBeInstanceOf(PgBossQueue);
      expect(c.leases).toBeInstanceOf(PgLeases);
      expect(await c.leases.acquire('k', 'me', 5000)).toBe(true);
      expect(await c.queue.send('q', { x: 1 })).toEqual(expect.any(String));
      const tables = await pgAdmin<{ table_schema: string; table_name: string }>(
        `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ($1, $2) AND table_name IN ('callops_leases', 'job') ORDER BY 1`,
        [schema, `${schema}_jobs`],
      );
      expect(tables).toEqual([
        { table_schema: schema, table_name: 'callops_leases' },
        { table_schema: `${schema}_jobs`, table_name: 'job' },
      ]);
    } finally {
      await c.close();
      await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`);
    }
  });
});

describe('uuidFromKey', () => {
  it('is a stable, well-formed UUID per (queue, key)', () => {
    const u = uuidFromKey('followups', 'call-1');
    expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidFromKey('followups', 'call-1')).toBe(u);
    expect(uuidFromKey('followups', 'call-2')).not.toBe(u);
    expect(uuidFromKey('other', 'call-1')).not.toBe(u);
    expect(randomUUID()).not.toBe(u);
  });
});
