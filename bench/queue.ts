/**
 * `npm run bench -- queue`: how fast the PostgreSQL job queue (pg-boss) drains small jobs
 * across replicas, and whether a job of one queue waits behind a slow job of another.
 * Needs PostgreSQL (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test);
 * everything happens in a fresh schema that is dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PgBossQueue } from '../src/coordination/index.js';
import { goal } from './goals.js';

const URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const JOBS = Number(process.env.BENCH_QUEUE_JOBS ?? 2000);
const REPLICAS = Number(process.env.BENCH_QUEUE_REPLICAS ?? 2);

async function until(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

export async function queueBench(): Promise<void> {
  const schema = `callops_bench_${randomBytes(5).toString('hex')}`;
  const replicas = Array.from({ length: REPLICAS }, () => new PgBossQueue({ connectionString: URL, schema, maxConnections: 4 }));
  try {
    for (const q of replicas) await q.start();
    // 1. Throughput: JOBS small jobs already waiting, drained by every replica's worker.
    let done = 0;
    const sender = replicas[0]!;
    for (let i = 0; i < JOBS; i += 100) await Promise.all(Array.from({ length: Math.min(100, JOBS - i) }, (_, k) => sender.send('bench-small', { n: i + k })));
    const started = performance.now();
    for (const q of replicas) await q.work('bench-small', async () => void done++);
    const drained = await until(() => done >= JOBS, 120_000);
    const seconds = (performance.now() - started) / 1000;
    const rate = done / seconds;
    console.log(`PostgreSQL job queue (pg-boss), ${JOBS} small jobs waiting, ${REPLICAS} replicas working:`);
    console.log(`  queue drain ${rate.toFixed(0)} jobs/s${drained ? '' : ' (did not finish in 120 s)'} (goal >= 200 jobs/s)`);
    goal('queue drain', `${rate.toFixed(0)} jobs/s across ${REPLICAS} replicas`, '≥ 200 jobs/s', drained && rate >= 200);

    // 2. Isolation: a slow follow-up holds its queue's worker; a board job sent meanwhile still runs.
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    let slowStarted = false;
    let boardDone = 0;
    for (const q of replicas) {
      await q.work('bench-followup', async () => {
        slowStarted = true;
        await slow;
      });
      await q.work('bench-board', async () => void boardDone++);
    }
    for (let i = 0; i < REPLICAS; i++) await sender.send('bench-followup', { slow: i });
    await until(() => slowStarted, 10_000);
    const sent = performance.now();
    await sender.send('bench-board', { channel: 'C1' });
    const ran = await until(() => boardDone === 1, 10_000);
    const waited = performance.now() - sent;
    release();
    goal('board job behind slow follow-ups', ran ? `ran after ${waited.toFixed(0)} ms` : 'did not run within 10 s', 'runs, never waits for the follow-up', ran);
    console.log(
      `  board job while every follow-up worker is busy with a slow job: ${ran ? `ran after ${waited.toFixed(0)} ms` : 'did not run within 10 s'} (goal: runs, never waits for the follow-up)`,
    );
  } finally {
    await Promise.all(replicas.map((q) => q.stop()));
    const admin = new pg.Client({ connectionString: URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}
