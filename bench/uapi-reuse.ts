/**
 * The UAPI adapter's connection reuse: sequential hold/resume round trips against the
 * sandbox PBX through `UapiClient.act`, one client reusing connections (keep-alive)
 * and one opening a new connection per request (how the vendor's own example clients
 * work). Each action is a PUT and, as the sandbox answers 202 like the seeds' worked
 * examples, a GET of its link.self.
 *
 * The two clients take turns in short blocks, in alternating order (ABBA), so a burst
 * of load from elsewhere on the machine falls on both alike; each pair of blocks gives
 * one ratio and the figure is the median of those, printed with its spread. CPU time
 * per round trip (client and sandbox share this process) is printed beside it: on a
 * shared machine it is the steadier of the two.
 * `npm run bench -- uapi` runs only this part; BENCH_UAPI_PAIRS and BENCH_UAPI_BLOCK
 * set how many pairs of blocks and how many round trips a block has.
 */
import { startSandbox, SEED_IDS } from '../src/sandbox/server.js';
import { UapiHttp } from '../src/uapi/http.js';
import { UapiClient, staticToken } from '../src/uapi/client.js';
import { goal } from './goals.js';

const PAIRS = Number(process.env.BENCH_UAPI_PAIRS ?? 40);
const BLOCK = Number(process.env.BENCH_UAPI_BLOCK ?? 20);

interface Block {
  seconds: number;
  cpuMs: number;
}

const fmt = (n: number, d = 1) => n.toFixed(d);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const quantile = (xs: number[], q: number) => {
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
};

export async function uapiBench(): Promise<void> {
  const sandbox = await startSandbox({ pickupDelayMs: 10 });
  const ref = { extension: '0003*210', phoneCallId: SEED_IDS.seedCall };
  const token = sandbox.issueToken('12').accessToken;
  const side = (keepAlive: boolean) => {
    const http = new UapiHttp({ baseUrl: sandbox.url, keepAlive });
    return { http, client: new UapiClient(http, staticToken(token)) };
  };
  const reuse = side(true);
  const fresh = side(false);
  const roundTrips = async (client: UapiClient, n: number) => {
    for (let i = 0; i < n; i++) {
      await client.act(ref, { action: 'OnHold', phoneCallViewId: '01' });
      await client.act(ref, { action: 'OffHold', phoneCallViewId: '01' });
    }
  };
  const block = async (client: UapiClient): Promise<Block> => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await roundTrips(client, BLOCK);
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - started) / 1000, cpuMs: (used.user + used.system) / 1000 };
  };
  await roundTrips(reuse.client, 20); // warm up both paths
  await roundTrips(fresh.client, 20);

  const pairs: Array<{ reuse: Block; fresh: Block }> = [];
  for (let i = 0; i < PAIRS; i++) {
    if (i % 2 === 0) {
      const r = await block(reuse.client);
      pairs.push({ reuse: r, fresh: await block(fresh.client) });
    } else {
      const f = await block(fresh.client);
      pairs.push({ fresh: f, reuse: await block(reuse.client) });
    }
  }
  reuse.http.close();
  fresh.http.close();
  await sandbox.close();

  const rate = (b: Block) => BLOCK / b.seconds;
  const ratios = pairs.map((p) => p.fresh.seconds / p.reuse.seconds);
  const cpuRatios = pairs.map((p) => p.fresh.cpuMs / p.reuse.cpuMs);
  const ratio = quantile(ratios, 0.5);
  const spread = (xs: number[]) => `${fmt(quantile(xs, 0), 2)}–${fmt(quantile(xs, 1), 2)}x, middle half ${fmt(quantile(xs, 0.25), 2)}–${fmt(quantile(xs, 0.75), 2)}x`;
  const cpuPer = (bs: Block[]) =>
    quantile(
      bs.map((b) => b.cpuMs / BLOCK),
      0.5,
    );
  console.log(`UAPI hold+resume round trips (each = 2 actions = 4 HTTP requests: PUT + GET link.self), ${PAIRS} alternating pairs of blocks of ${BLOCK} sequential round trips, medians:`);
  const rates = (bs: Block[]) => quantile(bs.map(rate), 0.5);
  const reuseBlocks = pairs.map((p) => p.reuse);
  const freshBlocks = pairs.map((p) => p.fresh);
  console.log(`  keep-alive (callops adapter):   ${fmt(rates(reuseBlocks))} round trips/s  CPU ${fmt(cpuPer(reuseBlocks), 2)} ms each`);
  console.log(`  new connection per request:     ${fmt(rates(freshBlocks))} round trips/s  CPU ${fmt(cpuPer(freshBlocks), 2)} ms each`);
  console.log(`  ratio keep-alive / new:         ${fmt(ratio, 2)}x (pairs ${spread(ratios)})`);
  console.log(`  CPU per round trip, new / keep-alive: ${fmt(quantile(cpuRatios, 0.5), 2)}x (pairs ${spread(cpuRatios)})`);
  goal('UAPI reuse', `${fmt(ratio, 2)}x keep-alive vs new connection`, '≥ 1.5x', ratio >= 1.5);
}
