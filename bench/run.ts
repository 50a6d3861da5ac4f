/**
 * `npm run bench`: figures, not a test. Everything runs on loopback in one run,
 * so compare the ratios, not the absolute numbers (2 noisy cores).
 *
 * 1. UAPI adapter: sequential hold/resume round trips against the sandbox PBX,
 *    reusing connections (keep-alive) versus a new connection per request (how
 *    the vendor's own example clients work).
 * 2. Slack: acknowledgement of signed /call requests under concurrent load,
 *    the callops app versus a minimal Bolt app that only acknowledges (Bolt's
 *    defaults), alternating rounds in one run.
 */
import { Worker } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { startSandbox, SEED_IDS } from '../src/sandbox/server.js';
import { UapiHttp } from '../src/uapi/http.js';
import { UapiClient, staticToken } from '../src/uapi/client.js';
import { startStack, SIGNING_SECRET } from '../test/helpers/stack.js';

interface LoadSpec {
  url?: string;
  urls?: string[];
  secret: string;
  text: string;
  connections: number;
  requests: number;
}
interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  targets: Array<{ url: string; requests: number; errors: number; p50: number; p99: number; mean: number }>;
}

const ROUND_TRIPS = Number(process.env.BENCH_ROUND_TRIPS ?? 300);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
/** The two acknowledgement loads alternate this many times; the median round of each is shown. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const fmt = (n: number, d = 1) => n.toFixed(d);

async function uapiBench(): Promise<void> {
  const sandbox = await startSandbox({ pickupDelayMs: 10 });
  const ref = { extension: '0003*210', phoneCallId: SEED_IDS.seedCall };
  const measure = async (keepAlive: boolean) => {
    const http = new UapiHttp({ baseUrl: sandbox.url, keepAlive });
    const client = new UapiClient(http, staticToken(sandbox.issueToken('12').accessToken));
    for (let i = 0; i < 20; i++) await client.act(ref, { action: i % 2 ? 'OffHold' : 'OnHold', phoneCallViewId: '01' }); // warm up
    await client.act(ref, { action: 'OffHold', phoneCallViewId: '01' });
    const started = performance.now();
    for (let i = 0; i < ROUND_TRIPS; i++) {
      await client.act(ref, { action: 'OnHold', phoneCallViewId: '01' });
      await client.act(ref, { action: 'OffHold', phoneCallViewId: '01' });
    }
    const seconds = (performance.now() - started) / 1000;
    http.close();
    return ROUND_TRIPS / seconds;
  };
  // Alternate to spread the machine's noise over both.
  const reuse: number[] = [];
  const fresh: number[] = [];
  for (let i = 0; i < 2; i++) {
    reuse.push(await measure(true));
    fresh.push(await measure(false));
  }
  await sandbox.close();
  const best = (xs: number[]) => Math.max(...xs);
  console.log(`UAPI hold+resume round trips (each = 2 actions = 4 HTTP requests: PUT + GET link.self), ${ROUND_TRIPS} sequential, best of 2:`);
  console.log(`  keep-alive (callops adapter):   ${fmt(best(reuse))} round trips/s`);
  console.log(`  new connection per request:     ${fmt(best(fresh))} round trips/s`);
  console.log(`  ratio keep-alive / new:         ${fmt(best(reuse) / best(fresh), 2)}x`);
}

function load(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./load.mjs', import.meta.url), { workerData: spec });
    w.once('message', (r: LoadResult) => {
      void w.terminate();
      resolve(r);
    });
    w.once('error', reject);
  });
}

/** A bare Bolt app with Bolt's defaults (conversation store on) that only acknowledges. */
async function minimalBolt(slackApiUrl: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, endpoints: '/slack/events' });
  // Same Web API peer as callops (Bolt calls auth.test once at start).
  const app = new App({ receiver, token: 'xoxb-bench', logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl } });
  app.command('/call', async ({ ack }) => ack());
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as import('node:http').Server;
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`, stop: async () => void (await app.stop()) };
}

async function slackBench(): Promise<void> {
  const stack = await startStack();
  await stack.link('UBENCH', '12', '0003*210');
  const minimal = await minimalBolt(stack.api.url);
  const spec = (url: string, text: string): LoadSpec => ({ url, secret: SIGNING_SECRET, text, connections: CONNECTIONS, requests: REQUESTS });
  const callops = `${stack.base}/slack/events`;
  await load({ ...spec(callops, 'help'), requests: 200 }); // warm up
  await load({ ...spec(minimal.url, 'help'), requests: 200 });
  // 1. Alternating rounds: each app alone under the load, in turns, so the machine's noise falls on both alike.
  //    Main-thread busy time per request (event loop utilisation) is the CPU cost of serving, the
  //    least noisy of these figures; the apps and the bench share this thread, the load runs in a worker.
  const bare: Array<LoadResult & { busyMs: number }> = [];
  const help: Array<LoadResult & { busyMs: number }> = [];
  const measured = async (s: LoadSpec) => {
    const before = performance.eventLoopUtilization();
    const r = await load(s);
    const elu = performance.eventLoopUtilization(before);
    return { ...r, busyMs: elu.active / r.requests };
  };
  for (let i = 0; i < ROUNDS; i++) {
    bare.push(await measured(spec(minimal.url, 'help')));
    help.push(await measured(spec(callops, 'help')));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const medianOf = (xs: Array<LoadResult & { busyMs: number }>) => ({
    ...xs[0]!,
    rps: med(xs.map((x) => x.rps)),
    p50: med(xs.map((x) => x.p50)),
    p99: med(xs.map((x) => x.p99)),
    busyMs: med(xs.map((x) => x.busyMs)),
    errors: xs.reduce((n, x) => n + x.errors, 0),
  });
  const b = medianOf(bare);
  const h = medianOf(help);
  const list = await load(spec(callops, `list 0003*210 ${SEED_IDS.seedCall}`));
  console.log(`\nSlack /call acknowledgement, ${REQUESTS} signed requests over ${CONNECTIONS} connections per round (load from a worker thread), ${ROUNDS} alternating rounds, medians:`);
  const row = (name: string, r: { rps: number; p50: number; p99: number; errors: number }, busy?: number) =>
    console.log(`  ${name.padEnd(66)} ${fmt(r.rps, 0).padStart(6)} req/s  p50 ${fmt(r.p50).padStart(6)} ms  p99 ${fmt(r.p99).padStart(6)} ms  errors ${r.errors}${busy === undefined ? '' : `  main thread ${fmt(busy, 3)} ms/req`}`);
  row('minimal Bolt app (ack only, Bolt defaults)', b, b.busyMs);
  row('callops /call help', h, h.busyMs);
  row('callops /call list 0003*210 <id> (ack, then VoipNow + Slack API)', list);
  const pairs = (f: (x: LoadResult & { busyMs: number }) => number) => med(help.map((x, i) => f(x) / f(bare[i]!)));
  console.log(`  callops help / minimal, median of the ${ROUNDS} paired rounds: throughput ${fmt(pairs((x) => x.rps), 2)}x, p50 ${fmt(pairs((x) => x.p50), 2)}x, p99 ${fmt(pairs((x) => x.p99), 2)}x, main-thread time per request ${fmt(pairs((x) => x.busyMs), 2)}x`);
  console.log(`  per round, throughput: ${help.map((x, i) => fmt(x.rps / bare[i]!.rps, 2) + 'x').join(', ')}`);

  // 2. Mixed: one load whose requests go to the two apps in turn, so both see the same moments.
  const mixed = await load({ ...spec(minimal.url, 'help'), url: undefined, urls: [minimal.url, callops], requests: REQUESTS * 2 });
  const [mb, mc] = mixed.targets;
  console.log(`  mixed load (requests alternate between the two apps): minimal p50 ${fmt(mb!.p50)} / p99 ${fmt(mb!.p99)} / mean ${fmt(mb!.mean)} ms, callops help p50 ${fmt(mc!.p50)} / p99 ${fmt(mc!.p99)} / mean ${fmt(mc!.mean)} ms; callops / minimal: p50 ${fmt(mc!.p50 / mb!.p50, 2)}x, p99 ${fmt(mc!.p99 / mb!.p99, 2)}x, mean ${fmt(mc!.mean / mb!.mean, 2)}x, errors ${mixed.errors}`);
  console.log(`  callops /call list / minimal throughput: ${fmt(list.rps / b.rps, 2)}x (list also calls VoipNow and Slack after the ack)`);
  await minimal.stop();
  await stack.close();
}

await uapiBench();
await slackBench();
