/**
 * `npx tsx bench/traffic.ts`: figures, not a test. Can the sandbox PBX carry the
 * supervisor board's benchmark load? It generates traffic at about 100 and then
 * 200 concurrent calls with call events registered on every watched extension,
 * and prints, against the same sandbox idle in the same run: UAPI list latency
 * (p50/p99) and the ratio, state changes and call event deliveries per second,
 * and the event loop's delay (p99). Compare ratios, not absolute numbers.
 *
 *   BENCH_TRAFFIC_SECONDS  measuring time per load level (default 15)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startSandbox } from '../src/sandbox/server.js';

const SECONDS = Number(process.env.BENCH_TRAFFIC_SECONDS ?? 15);
const EXTENSIONS = ['0003*210', '0003*024', '0003*025', '0003*300'];
const MEAN_TALK = 10;
const MEAN_RING = 2;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const fmt = (n: number, d = 1) => n.toFixed(d);

let received = 0;
const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received += 1;
    res.end('ok');
  });
});
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

const sandbox = await startSandbox({ pickupDelayMs: 500 });
const token = sandbox.issueToken('3').accessToken;
const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
/** After every reset: only our events (the seed's one points at a host that never resolves). */
async function registerEvents(): Promise<void> {
  await fetch(`${sandbox.url}/uapi/extensions/@me/0003*210/phoneCallEvents`, { method: 'DELETE', headers: auth });
  for (const ext of EXTENSIONS) {
    for (const type of [0, 1, 2, 3, 4]) {
      await fetch(`${sandbox.url}/uapi/extensions/@me/${ext}/phoneCallEvents`, {
        method: 'POST', headers: auth, body: JSON.stringify({ type, method: 1, url: `${sinkUrl}/${ext}/${type}` }),
      });
    }
  }
}
await registerEvents();

/** Lists every watched extension's calls, one after another, for `seconds`; latencies in ms. */
async function listLatencies(seconds: number): Promise<number[]> {
  const out: number[] = [];
  const end = performance.now() + seconds * 1000;
  let i = 0;
  while (performance.now() < end) {
    const ext = EXTENSIONS[i++ % EXTENSIONS.length];
    const t = performance.now();
    const res = await fetch(`${sandbox.url}/uapi/phoneCalls/@me/${ext}?count=5000`, { headers: auth });
    await res.arrayBuffer();
    out.push(performance.now() - t);
  }
  return out;
}

async function waitActive(n: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (sandbox.traffic.status().active < n) {
    if (Date.now() > deadline) throw new Error(`only ${sandbox.traffic.status().active} live calls`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Level { label: string; active: string; p50: number; p99: number; changes: number; deliveries: number; loopP99: number; requests: number }

async function measure(label: string, concurrent: number): Promise<Level> {
  if (concurrent > 0) {
    // Little's law: concurrent ≈ arrivals per second × (ring + talk seconds).
    const perMinute = (concurrent / (MEAN_TALK * 1.3 + MEAN_RING)) * 60;
    sandbox.traffic.configure({ callsPerMinute: perMinute, meanTalkSeconds: MEAN_TALK, meanRingSeconds: MEAN_RING, seed: 1 });
    await waitActive(concurrent * 0.9);
  }
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const firstChange = sandbox.changes.since(0).at(-1)?.seq ?? 0;
  const received0 = received;
  const activeSeen: number[] = [];
  const sampler = setInterval(() => activeSeen.push(sandbox.traffic.status().active), 500);
  const lat = await listLatencies(SECONDS);
  clearInterval(sampler);
  loop.disable();
  const changes = sandbox.changes.since(firstChange).length;
  sandbox.traffic.configure({ callsPerMinute: 0 });
  return {
    label,
    active: activeSeen.length ? `${Math.min(...activeSeen)}-${Math.max(...activeSeen)}` : '0',
    p50: pct(lat, 50), p99: pct(lat, 99), requests: lat.length,
    changes: changes / SECONDS, deliveries: (received - received0) / SECONDS,
    loopP99: loop.percentile(99) / 1e6,
  };
}

await listLatencies(2); // warm up
const levels: Level[] = [];
levels.push(await measure('idle (seed calls only)', 0));
levels.push(await measure('~100 concurrent calls', 100));
sandbox.reset();
await registerEvents();
levels.push(await measure('~200 concurrent calls', 200));
sandbox.reset();

const idle = levels[0]!;
console.log(`\nSandbox PBX under generated traffic (${SECONDS} s per level, mean talk ${MEAN_TALK} s, ring ${MEAN_RING} s, events on ${EXTENSIONS.length} extensions)\n`);
console.log('level                     live calls  list p50 ms  list p99 ms  p99/idle  lists  changes/s  events/s  loop p99 ms');
for (const l of levels) {
  console.log([
    l.label.padEnd(25), l.active.padStart(10), fmt(l.p50, 2).padStart(12), fmt(l.p99, 2).padStart(12),
    fmt(l.p99 / idle.p99, 1).padStart(9), String(l.requests).padStart(6), fmt(l.changes).padStart(10),
    fmt(l.deliveries).padStart(9), fmt(l.loopP99, 1).padStart(12),
  ].join(' '));
}
const stats = sandbox.deliveries();
console.log(`\ncall event deliveries: ${stats.delivered} delivered, ${stats.failed} failed, ${stats.dropped} dropped`);
await sandbox.close();
sink.close();
sink.closeAllConnections();
