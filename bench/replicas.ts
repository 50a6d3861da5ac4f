/**
 * `npm run bench -- replicas`: figures, not a test. 1, 2 and 3 real callops processes
 * (`src/main.ts`) on one PostgreSQL (a fresh schema each), one sandbox PBX and one recording
 * Slack API in this process. For BENCH_SECONDS (default 60) BENCH_CONNECTIONS closed loops
 * (one answered call each) send signed `/call hold|resume` commands, spread over the replicas in turn; every fifth
 * command is also sent again as Slack's retry (same trigger_id, X-Slack-Retry-Num) to
 * another replica. Shown: acknowledgements per second, p50/p99, actions per second reaching
 * the sandbox (PUTs), and duplicates: PUTs beyond one per original command (must be 0).
 *
 * PostgreSQL: TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { startSandbox } from '../src/sandbox/server.js';
import { PostgresStore, TokenCipher } from '../src/store/index.js';
import { startSlackApi } from '../test/helpers/slack-api.js';
import { sign } from '../test/helpers/signed.js';
import { freshSchema, pgUrl, pgUnavailable } from '../test/helpers/pg.js';
import { linkUser12 } from '../test/helpers/linked-account.js';
import { dropSchemas, REPLICA_SECRET, startReplica, type Replica } from '../test/helpers/replicas.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const fmt = (n: number, d = 1) => n.toFixed(d);

interface Row {
  replicas: number;
  acks: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
  commands: number;
  retries: number;
  puts: number;
  duplicates: number;
}

function post(agent: Agent, base: string, form: string, retry: boolean): Promise<number> {
  const ts = Math.floor(Date.now() / 1000);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/x-www-form-urlencoded',
    'Content-Length': Buffer.byteLength(form),
    'X-Slack-Request-Timestamp': ts,
    'X-Slack-Signature': sign(REPLICA_SECRET, ts, form),
    ...(retry && { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' }),
  };
  return new Promise((resolve) => {
    const req = request(`${base}/slack/events`, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(form);
  });
}

async function round(n: number): Promise<Row> {
  const schema = freshSchema('callops_bench');
  const key = randomBytes(32).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'callops-bench-'));
  const sandbox = await startSandbox({ pickupDelayMs: 10 });
  const api = await startSlackApi();
  const store = new PostgresStore({ connectionString: pgUrl!, cipher: TokenCipher.fromKey(key), schema });
  await store.init();
  await linkUser12(store, sandbox, 'UBENCH', '0003*210');
  const started = await Promise.allSettled(
    Array.from({ length: n }, () => startReplica({ databaseUrl: pgUrl!, schema, slackApiUrl: api.url, voipnowUrl: sandbox.url, key, dataDir, extra: { LOG_LEVEL: 'error' } })),
  );
  const replicas: Replica[] = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    for (const r of replicas) r.child.kill('SIGKILL');
    throw failed.reason;
  }
  // One answered call per connection, so the loops do not wait on each other's action on one call.
  const calls: string[] = [];
  for (let c = 0; c < CONNECTIONS; c++) {
    const res = await fetch(`${sandbox.url}/_sandbox/calls`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: '0003*210', from: `555${1000 + c}` }),
    });
    calls.push(((await res.json()) as { id: string }).id);
  }
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS * 2 });
  const latencies: number[] = [];
  let errors = 0;
  let commands = 0;
  let retries = 0;
  let seq = 0;
  const putsBefore = sandbox.requests.filter((r) => r.method === 'PUT').length;
  const end = Date.now() + SECONDS * 1000;
  const loop = async (c: number) => {
    let k = 0;
    while (Date.now() < end) {
      const i = seq++;
      const text = `${k++ % 2 ? 'resume' : 'hold'} 0003*210 ${calls[c]}`;
      const form = new URLSearchParams({
        token: 'x',
        team_id: 'T1',
        team_domain: 'bench',
        channel_id: 'CBENCH',
        channel_name: 'bench',
        user_id: 'UBENCH',
        user_name: 'bench',
        command: '/call',
        text,
        api_app_id: 'A1',
        response_url: api.responseUrl(`/bench/${c}`),
        trigger_id: `bench-${i}`,
      }).toString();
      const target = replicas[i % n]!.base;
      const started = performance.now();
      const status = await post(agent, target, form, false);
      latencies.push(performance.now() - started);
      commands++;
      if (status !== 200) errors++;
      if (i % 5 === 0) {
        retries++;
        // Slack's retry of the same command, delivered to another replica.
        if ((await post(agent, replicas[(i + 1) % n]!.base, form, true)) !== 200) errors++;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, c) => loop(c)));
  const seconds = (performance.now() - t0) / 1000;
  // Let the actions already acknowledged reach VoipNow (the background work after each ack).
  let last = -1;
  for (;;) {
    const count = sandbox.requests.filter((r) => r.method === 'PUT').length;
    if (count === last) break;
    last = count;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  const puts = last - putsBefore;
  const sorted = [...latencies].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  for (const r of replicas) r.child.kill('SIGKILL');
  await Promise.all(replicas.map((r) => r.exited));
  agent.destroy();
  await api.close();
  await sandbox.close();
  await dropSchemas(schema).catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
  return { replicas: n, acks: latencies.length, errors, rps: latencies.length / seconds, p50: q(0.5), p99: q(0.99), commands, retries, puts, duplicates: Math.max(0, puts - commands) };
}

export async function replicasBench(): Promise<void> {
  if (!pgUrl) {
    console.log(`replicas bench: no PostgreSQL (${pgUnavailable}); skipped`);
    return;
  }
  const rows: Row[] = [];
  for (const n of [1, 2, 3]) rows.push(await round(n));
  console.log(
    `\nReplicas on one PostgreSQL: signed /call hold|resume for ${SECONDS} s over ${CONNECTIONS} connections, spread over the replicas, every 5th also retried (same trigger_id) on another replica:`,
  );
  for (const r of rows) {
    console.log(
      `  ${r.replicas} replica(s): ${fmt(r.rps, 0).padStart(5)} acks/s  p50 ${fmt(r.p50).padStart(6)} ms  p99 ${fmt(r.p99).padStart(6)} ms  errors ${r.errors}  ` +
        `commands ${r.commands} (+${r.retries} retries)  actions reaching the sandbox ${fmt(r.puts / SECONDS, 1)}/s (${r.puts} PUTs)  duplicates ${r.duplicates}`,
    );
  }
  const one = rows[0]!;
  console.log(`  scaling of acks/s against 1 replica: ${rows.map((r) => `${r.replicas}: ${fmt(r.rps / one.rps, 2)}x`).join(', ')}`);
}
