/**
 * `npm run bench`: figures, not a test. Everything runs on loopback in one run,
 * so compare the ratios, not the absolute numbers (2 noisy cores).
 *
 * 1. UAPI adapter: sequential hold/resume round trips against the sandbox PBX,
 *    reusing connections (keep-alive) versus a new connection per request (how
 *    the vendor's own example clients work).
 * 2. Slack: acknowledgement of signed /call requests under concurrent load,
 *    the callops app versus a minimal Bolt app that only acknowledges.
 * 3. `npm run bench -- board`: the supervisor board under traffic (board.ts).
 */
import { Worker } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { startSandbox, SEED_IDS } from '../src/sandbox/server.js';
import { UapiHttp } from '../src/uapi/http.js';
import { UapiClient, staticToken } from '../src/uapi/client.js';
import { startStack, SIGNING_SECRET } from '../test/helpers/stack.js';

interface LoadSpec {
  url: string;
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
}

const ROUND_TRIPS = Number(process.env.BENCH_ROUND_TRIPS ?? 300);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);

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
  const rows: Array<[string, LoadResult]> = [
    ['minimal Bolt app (ack only)', await load(spec(minimal.url, 'help'))],
    ['callops /call help', await load(spec(callops, 'help'))],
    [`callops /call list 0003*210 <id> (ack, then VoipNow + Slack API)`, await load(spec(callops, `list 0003*210 ${SEED_IDS.seedCall}`))],
  ];
  console.log(`\nSlack /call acknowledgement, ${REQUESTS} signed requests over ${CONNECTIONS} connections (load from a worker thread):`);
  for (const [name, r] of rows) {
    console.log(`  ${name.padEnd(66)} ${fmt(r.rps, 0).padStart(6)} req/s  p50 ${fmt(r.p50).padStart(6)} ms  p99 ${fmt(r.p99).padStart(6)} ms  errors ${r.errors}`);
  }
  const base = rows[0]![1];
  for (const [name, r] of rows.slice(1)) {
    console.log(`  ratio ${name} / minimal: throughput ${fmt(r.rps / base.rps, 2)}x, p50 ${fmt(r.p50 / base.p50, 2)}x, p99 ${fmt(r.p99 / base.p99, 2)}x`);
  }
  await minimal.stop();
  await stack.close();
}

// `npm run bench -- board`: only the supervisor board (bench/board.ts).
if (process.argv.includes('board')) {
  const { boardBench } = await import('./board.js');
  await boardBench();
} else {
  await uapiBench();
  await slackBench();
}
