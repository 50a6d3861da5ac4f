/**
 * `npm run bench -- scale`: one callops replica at the size of a large contact centre.
 * The real app (`dist/main.js`, built first, as `npm start` runs it) in a process of its
 * own, on PostgreSQL (a fresh schema), against the sandbox PBX and the recording Slack API
 * (Slack's rate limits enforced), which run in this process: so the memory and the event
 * loop measured are callops' alone. A supervisor watches BENCH_SCALE_EXTENSIONS (1,000)
 * desk phones from BENCH_SCALE_CHANNELS (20) channels with `/call watch` (20 extensions a command), then generated
 * traffic keeps about BENCH_SCALE_CALLS (500) calls live on them (ringing, answered, held,
 * parked, transferred, hung up, with PhoneCallEvents) for BENCH_SCALE_SECONDS (90).
 * Shown: RSS of the callops process (peak over the whole run, and steady: the median of
 * the steady phase), the event loop's delay (monitorEventLoopDelay inside the process,
 * bench/scale-probe.mjs), its CPU, and what it asked of the PBX and of Slack.
 *
 * BENCH_SCALE_CPU_PROF=<dir>: a CPU profile of the callops process into that folder.
 * The event-loop figures include the probe's 10 ms resolution (an idle loop shows p50 ≈ 10 ms);
 * an idle Node process with the same probe runs beside it, so the machine's own share is seen.
 *
 * PostgreSQL: TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { PostgresStore, TokenCipher } from '../src/store/index.js';
import { startSlackApi, type SlackApi } from '../test/helpers/slack-api.js';
import { slashCommand } from '../test/helpers/signed.js';
import { freshSchema, pgUrl, pgUnavailable } from '../test/helpers/pg.js';
import { freePort } from '../test/helpers/free-port.js';
import { dropSchemas, REPLICA_SECRET } from '../test/helpers/replicas.js';
import { linkSandboxUser } from '../test/helpers/linked-account.js';
import { goal } from './goals.js';

const EXTENSIONS = Number(process.env.BENCH_SCALE_EXTENSIONS ?? 1000);
const CALLS = Number(process.env.BENCH_SCALE_CALLS ?? 500);
const CHANNELS = Number(process.env.BENCH_SCALE_CHANNELS ?? 20);
const SECONDS = Number(process.env.BENCH_SCALE_SECONDS ?? 90);
/** Generated calls: mean talk and ring times (s); arrivals keep CALLS live by Little's law. */
const TALK_S = 120;
const RING_S = 6;
const FIRST = 1000;
const SUPERVISOR = 'USCALE';
const root = fileURLToPath(new URL('..', import.meta.url));
const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, d = 0) => n.toFixed(d);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

interface ProbeReport {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  samples: number;
  sliceP99: number;
  cpuMs: number;
  wallMs: number;
  rss: number;
  heapUsed: number;
  external: number;
  statements: Array<[string, number]>;
}

/** VmRSS and VmHWM (peak) of a process, bytes, from /proc. */
function memoryOf(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

function ask(child: ChildProcess, what: 'reset' | 'report'): Promise<ProbeReport | undefined> {
  if (what === 'reset') {
    child.send('reset');
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as ProbeReport));
    child.send('report');
  });
}

async function startCallops(env: Record<string, string>): Promise<{ child: ChildProcess; base: string; stderr: () => string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(SLACK_|VOIPNOW_|PORT$|PUBLIC_URL$|DATABASE_|DATA_DIR$|TOKEN_ENCRYPTION_KEY$|LEASE_|BOARD_|SUPERVISOR_)/.test(k)),
  );
  const prof = process.env.BENCH_SCALE_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_SCALE_CPU_PROF] : [];
  const child = spawn(process.execPath, [...prof, '--import', './bench/scale-probe.mjs', 'dist/main.js'], {
    cwd: root,
    env: { ...inherited, NODE_ENV: 'development', PORT: String(port), PUBLIC_URL: base, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-8000);
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`callops exited at start (${child.exitCode}): ${err}`);
    if ((await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200) return { child, base, stderr: () => err };
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`callops not ready within 60 s: ${err}`);
}

const post = (sandbox: Sandbox, path: string, body: unknown) =>
  fetch(`${sandbox.url}/_sandbox/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => {
    if (!r.ok) throw new Error(`sandbox ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  });

/** `/call watch` takes at most this many extensions at once. */
const PER_COMMAND = 20;

/** Every channel's `/call watch` of its share of the extensions (20 at a time), the channels at once; resolves when each answered. */
async function watchAll(api: SlackApi, base: string, extensions: string[]): Promise<number> {
  const per = Math.ceil(extensions.length / CHANNELS);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CHANNELS }, async (_, c) => {
      const share = extensions.slice(c * per, (c + 1) * per);
      for (let i = 0; i < share.length; i += PER_COMMAND) {
        const mine = share.slice(i, i + PER_COMMAND);
        const path = `/scale/watch/${c}/${i}`;
        const res = await slashCommand(base, REPLICA_SECRET, { user_id: SUPERVISOR, text: `watch ${mine.join(' ')}`, channel_id: `CSCALE${c}`, response_url: api.responseUrl(path) });
        if (res.status !== 200 || !/hourglass/.test(res.body)) throw new Error(`watch in channel ${c}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
        const answer = await api.waitFor('response_url', (x) => x.path.endsWith(path), 300_000);
        const watching = (String(answer.body.text).match(/:eyes:/g) ?? []).length;
        if (watching !== mine.length) throw new Error(`channel ${c} watches ${watching} of ${mine.length}: ${String(answer.body.text).slice(0, 300)}`);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

const liveOn = (sandbox: Sandbox, watched: Set<string>) => [...sandbox.world.calls.values()].filter((c) => watched.has(c.extension)).length;

export async function scaleBench(): Promise<void> {
  if (!pgUrl) {
    console.log(`scale bench: no PostgreSQL (${pgUnavailable}); skipped`);
    return;
  }
  process.stderr.write('  [scale] building dist/ (tsc -p tsconfig.build.json)\n');
  const build = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);

  const schema = freshSchema('callops_scale');
  const key = randomBytes(32).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'callops-scale-'));
  const sandbox = await startSandbox({ pickupDelayMs: 1500 });
  const api = await startSlackApi({ rateLimits: true });
  let callops: Awaited<ReturnType<typeof startCallops>> | undefined;
  /** An idle Node process with the same probe: the event-loop delay the machine alone causes. */
  let baseline: ChildProcess | undefined;
  try {
    await post(sandbox, 'extensions', { count: EXTENSIONS, first: FIRST });
    const extensions = Array.from({ length: EXTENSIONS }, (_, i) => `0003*${FIRST + i}`);
    const watched = new Set(extensions);
    // The supervisor is linked as the Organization account, which may read every extension of organization 3.
    const store = new PostgresStore({ connectionString: pgUrl, cipher: TokenCipher.fromKey(key), schema });
    await store.init();
    await linkSandboxUser(store, sandbox, '3', SUPERVISOR);

    callops = await startCallops({
      SLACK_BOT_TOKEN: 'xoxb-scale',
      SLACK_SIGNING_SECRET: REPLICA_SECRET,
      SLACK_API_URL: api.url,
      VOIPNOW_URL: sandbox.url,
      VOIPNOW_CLIENT_ID: 'callops-demo',
      VOIPNOW_CLIENT_SECRET: 'callops-demo-secret',
      DATA_DIR: dataDir,
      DATABASE_URL: pgUrl,
      DATABASE_SCHEMA: schema,
      TOKEN_ENCRYPTION_KEY: key,
      SUPERVISOR_USER_IDS: SUPERVISOR,
      LOG_LEVEL: 'error',
    });
    const { child } = callops;
    baseline = spawn(process.execPath, ['--import', './bench/scale-probe.mjs', '-e', 'setInterval(() => {}, 60_000)'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const pid = child.pid!;
    const rssSamples: Array<{ at: number; rss: number }> = [];
    const sampler = setInterval(() => {
      const m = memoryOf(pid);
      if (m) rssSamples.push({ at: Date.now(), rss: m.rss });
    }, 500);
    const startRss = memoryOf(pid)?.rss ?? Number.NaN;

    // 1. The watches, set as a supervisor does.
    await ask(child, 'reset');
    process.stderr.write(`  [scale] watching ${EXTENSIONS} extensions from ${CHANNELS} channels\n`);
    const watchSeconds = await watchAll(api, callops.base, extensions);
    const setup = await ask(child, 'report');
    const afterWatchRss = memoryOf(pid)?.rss ?? Number.NaN;

    // 2. Traffic up to CALLS live calls, then arrivals that keep them there.
    process.stderr.write(`  [scale] traffic up to ${CALLS} live calls\n`);
    let seed = 17;
    const traffic = (callsPerMinute: number) => post(sandbox, 'traffic', { callsPerMinute, extensions, meanTalkSeconds: TALK_S, meanRingSeconds: RING_S, seed: seed++ });
    await traffic(CALLS * 6);
    const rampStarted = Date.now();
    while (liveOn(sandbox, watched) < CALLS && Date.now() - rampStarted < 60_000) await sleep(200);
    // Little's law gives the arrivals for CALLS live calls; transfers and early ends shorten calls, so the rate follows the count.
    let rate = (CALLS * 60) / (0.75 * (TALK_S + RING_S));
    const rates: number[] = [];
    const steer = async () => {
      rate = Math.round(rate * Math.min(1.4, Math.max(0.7, CALLS / Math.max(1, liveOn(sandbox, watched)))));
      rates.push(rate);
      await traffic(rate);
    };
    await steer();
    const rampSeconds = (Date.now() - rampStarted) / 1000;
    const ramp = await ask(child, 'report');

    // 3. The steady phase: everything measured from here.
    for (let i = 0; i < 2; i++) {
      await sleep(5_000); // the reads and cards the ramp started settle
      await steer();
    }
    await ask(child, 'reset');
    await ask(baseline, 'reset');
    const baseSlices: number[] = [];
    const steadyFrom = Date.now();
    const requestsFrom = sandbox.requests.length;
    const slackFrom = api.calls.length;
    const deliveredFrom = sandbox.deliveries().delivered;
    const live: number[] = [];
    const slices: number[] = [];
    while (Date.now() - steadyFrom < SECONDS * 1000) {
      for (let i = 0; i < 2; i++) {
        await sleep(5_000);
        await steer();
      }
      live.push(liveOn(sandbox, watched));
      slices.push((await ask(child, 'report'))!.sliceP99);
      baseSlices.push((await ask(baseline, 'report'))!.sliceP99);
    }
    const steady = (await ask(child, 'report'))!;
    const idle = (await ask(baseline, 'report'))!;
    const minutes = (Date.now() - steadyFrom) / 60_000;
    const peak = memoryOf(pid)?.peak ?? Number.NaN;
    clearInterval(sampler);
    const steadyRss = rssSamples.filter((s) => s.at >= steadyFrom).map((s) => s.rss);
    const reads = sandbox.requests.slice(requestsFrom).filter((r) => r.method === 'GET' && r.path.startsWith('/uapi/phoneCalls/'));
    const otherUapi = sandbox.requests.slice(requestsFrom).filter((r) => r.path.startsWith('/uapi/') && !(r.method === 'GET' && r.path.startsWith('/uapi/phoneCalls/'))).length;
    const slack = api.calls.slice(slackFrom);
    const byMethod = new Map<string, number>();
    for (const c of slack) byMethod.set(c.method, (byMethod.get(c.method) ?? 0) + 1);
    const limited = slack.filter((c) => c.rateLimited).length;

    console.log(
      `\nScale: one callops process (dist/main.js, PostgreSQL) watching ${EXTENSIONS} extensions from ${CHANNELS} channels, ~${CALLS} live calls (generated: ${TALK_S} s talk, ${RING_S} s ring, holds, parks, transfers; PhoneCallEvents on), Slack rate limits enforced:`,
    );
    console.log(
      `  setting the ${EXTENSIONS} watches (/call watch, ${CHANNELS} channels at once): ${fmt(watchSeconds, 1)} s, event loop p99 meanwhile ${fmt(setup?.p99 ?? Number.NaN, 1)} ms`,
    );
    console.log(`  ramp to ${CALLS} live calls: ${fmt(rampSeconds, 1)} s, event loop p99 meanwhile ${fmt(ramp?.sliceP99 ?? Number.NaN, 1)} ms`);
    console.log(
      `  steady ${fmt(minutes * 60)} s, ${fmt(median(live))} live calls (min ${Math.min(...live)}, max ${Math.max(...live)}), ${fmt(median(rates))} new calls a minute, ${fmt((sandbox.deliveries().delivered - deliveredFrom) / minutes)} PhoneCallEvents a minute delivered:`,
    );
    console.log(
      `    RSS: at start ${fmt(startRss / MB)} MB, after the watches ${fmt(afterWatchRss / MB)} MB, steady median ${fmt(median(steadyRss) / MB)} MB (max ${fmt(Math.max(...steadyRss) / MB)}), peak over the run ${fmt(peak / MB)} MB; heap used ${fmt(steady.heapUsed / MB)} MB`,
    );
    console.log(
      `    event loop delay: p50 ${fmt(steady.p50, 1)} ms, p99 ${fmt(steady.p99, 1)} ms, max ${fmt(steady.max, 1)} ms; p99 of each 10 s: ${slices.map((x) => fmt(x)).join(', ')} ms`,
    );
    console.log(
      `    the same probe in an idle Node process beside it (the machine's own noise): p99 ${fmt(idle.p99, 1)} ms, max ${fmt(idle.max, 1)} ms; p99 of each 10 s: ${baseSlices.map((x) => fmt(x)).join(', ')} ms`,
    );
    console.log(`    CPU of the callops process: ${fmt((steady.cpuMs / steady.wallMs) * 100)}% of one core`);
    console.log(
      `    PBX: ${fmt(reads.length / minutes / EXTENSIONS, 1)} list reads per extension a minute (${fmt(reads.length / minutes / 60)} a second in all), other UAPI requests ${fmt(otherUapi / minutes / 60, 1)} a second`,
    );
    console.log(
      `    Slack: ${fmt(slack.length / minutes)} Web API calls a minute (${[...byMethod]
        .sort((a, b) => b[1] - a[1])
        .map(([m, n]) => `${m} ${fmt(n / minutes)}`)
        .join(', ')}), 429s ${limited}`,
    );
    const perSecond = (n: number) => n / (steady.wallMs / 1000);
    console.log(
      `    PostgreSQL: ${fmt(perSecond(steady.statements.reduce((a, [, n]) => a + n, 0)))} statements a second among the top ones: ${steady.statements.map(([q, n]) => `${fmt(perSecond(n), 1)}/s ${q}`).join('; ')}`,
    );
    goal('scale, RSS peak', `${fmt(peak / MB)} MB at ${EXTENSIONS} extensions / ${CALLS} calls`, '≤ 300 MB', peak <= 300 * MB);
    goal('scale, RSS steady', `${fmt(median(steadyRss) / MB)} MB`, '≤ 300 MB', median(steadyRss) <= 300 * MB);
    goal('scale, event loop p99', `${fmt(steady.p99, 1)} ms`, '≤ 50 ms', steady.p99 <= 50);
    await traffic(0);
  } finally {
    baseline?.kill('SIGKILL');
    if (callops) {
      const exited = new Promise((r) => callops!.child.once('exit', r));
      callops.child.kill('SIGTERM');
      await Promise.race([exited, sleep(12_000)]);
      if (callops.child.exitCode === null && callops.child.signalCode === null) callops.child.kill('SIGKILL');
    }
    await api.close();
    await sandbox.close();
    await dropSchemas(schema).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
