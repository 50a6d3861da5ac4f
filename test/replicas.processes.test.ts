/**
 * Three real callops processes (`src/main.ts`) on one PostgreSQL schema, one recording Slack
 * API with Slack's rate limits, and the sandbox PBX: the board runs on the holder of a lease,
 * every call gets exactly one card per channel, a press sent to two replicas at once reaches
 * VoipNow once, SIGKILL of the holder hands the board over within 10 s with the cards still
 * updating, and restarting every replica loses no link, watch or card.
 *
 * The tests run in order and share the processes (starting one costs seconds on a busy
 * machine). Skipped, with the reason printed, when no PostgreSQL answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, SEED_IDS, type Sandbox } from '../src/sandbox/server.js';
import { PostgresStore, TokenCipher } from '../src/store/index.js';
import { startSlackApi, type SlackApi } from './helpers/slack-api.js';
import { freshSchema, pgRequired, pgUnavailable, pgUrl } from './helpers/pg.js';
import { blockAction, blockActionPayload, slashCommand } from './helpers/signed.js';
import { cardsOf, headOf, trackPosts } from './helpers/board.js';
import { waitUntil } from './helpers/wait.js';
import { linkUser12 } from './helpers/linked-account.js';
import { boardHolderPid, dropSchemas, REPLICA_SECRET, startReplica, type Replica } from './helpers/replicas.js';

if (!pgUrl) console.warn(`replicas.processes: no PostgreSQL (${pgUnavailable}); skipped`);
if (!pgUrl && pgRequired) throw new Error(`TEST_DATABASE_URL does not answer: ${pgUnavailable}`);

const CH1 = 'CREPL1';
const CH2 = 'CREPL2';
const EXT = '0003*210';
const LEASE_SECONDS = 2;

describe.skipIf(!pgUrl)('three replicas on one PostgreSQL', () => {
  const schema = freshSchema('callops_repl');
  const key = randomBytes(32).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'callops-replicas-'));
  let sandbox: Sandbox;
  let api: SlackApi;
  let posted: Map<number, string>;
  let replicas: Replica[] = [];
  const inbound: string[] = [];

  const env = () => ({
    databaseUrl: pgUrl!,
    schema,
    slackApiUrl: api.url,
    voipnowUrl: sandbox.url,
    key,
    dataDir,
    extra: { LEASE_SECONDS: String(LEASE_SECONDS), BOARD_POLL_SECONDS: '0.3', BOARD_IDLE_POLL_SECONDS: '1' },
  });
  const live = () => replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
  const cards = (ch: string, id: string) => cardsOf(api, posted, ch, id);
  const command = (r: Replica, user: string, text: string, channel: string, tag: string) =>
    slashCommand(r.base, REPLICA_SECRET, { user_id: user, text, channel_id: channel, response_url: api.responseUrl(`/cmd/${tag}`) });
  const ring = async (): Promise<string> => {
    const res = await fetch(`${sandbox.url}/_sandbox/calls`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ to: EXT, from: '5550001' }) });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { id: string }).id;
    inbound.push(id);
    return id;
  };
  const desk = async (id: string, action: string) => {
    const res = await fetch(`${sandbox.url}/_sandbox/calls/${id}/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status, await res.clone().text()).toBe(200);
  };
  /** Every call on one card in each channel (cards posted, none twice). */
  const oneCardEach = (ids: readonly string[]) => ids.every((id) => cards(CH1, id).length === 1 && cards(CH2, id).length === 1);
  /** Three replicas; if one fails to start, the others are kept for afterAll to stop (no orphans). */
  const startAll = async (): Promise<Replica[]> => {
    const started = await Promise.allSettled([0, 1, 2].map(() => startReplica(env())));
    const ok = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      replicas = ok;
      throw failed.reason;
    }
    return ok;
  };
  const logs = () => replicas.map((r) => `--- pid ${r.pid}\n${r.stderr.slice(-3000)}`).join('\n');

  beforeAll(async () => {
    sandbox = await startSandbox({ pickupDelayMs: 30 });
    api = await startSlackApi({ rateLimits: true });
    posted = trackPosts(api);
    // UA is linked as VoipNow user 12 (extension 0003*210), in the replicas' shared store.
    const store = new PostgresStore({ connectionString: pgUrl!, cipher: TokenCipher.fromKey(key), schema });
    await store.init();
    await linkUser12(store, sandbox, 'UA', EXT);
    replicas = await startAll();
  }, 180_000);

  afterAll(async () => {
    for (const r of replicas) r.child.kill('SIGKILL');
    await Promise.all(replicas.map((r) => r.exited));
    await api?.close();
    await sandbox?.close();
    if (pgUrl) await dropSchemas(schema).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('one replica runs the board; watches set through two others give every call exactly one card per channel', async () => {
    const holder = await waitUntil('a replica to hold the board lease', () => boardHolderPid(schema), 15_000);
    expect(replicas.map((r) => r.pid)).toContain(holder);
    // Two channels watch the same extension, each through a different replica.
    expect((await command(replicas[0]!, 'UA', `watch ${EXT}`, CH1, 'w1')).status).toBe(200);
    expect((await command(replicas[1]!, 'UA', `watch ${EXT}`, CH2, 'w2')).status).toBe(200);
    await api.waitFor('response_url', (c) => c.path.endsWith('/cmd/w1') && /Watching/.test(String(c.body.text)), 20_000);
    await api.waitFor('response_url', (c) => c.path.endsWith('/cmd/w2') && /Watching/.test(String(c.body.text)), 20_000);
    const a = await ring();
    const b = await ring();
    const ids = [SEED_IDS.seedCall, a, b];
    await waitUntil('a card for every call in both channels', () => ids.every((id) => cards(CH1, id).length > 0 && cards(CH2, id).length > 0), 30_000);
    // A later change reaches both cards: every replica has had time to (wrongly) post again by then.
    await desk(a, 'hold');
    await waitUntil('the hold on both cards', () => [CH1, CH2].every((ch) => /hold/i.test(JSON.stringify(cards(ch, a)[0]?.blocks))), 30_000);
    expect(oneCardEach(ids), logs()).toBe(true);
    // Only the holder reads the PBX for the board: one poller per watch (two watches).
    console.info(`board: ${api.rateLimitedCount()} Slack 429s with rate limits on`);
  }, 90_000);

  it('a press sent to two replicas at once reaches VoipNow once', async () => {
    // Two cards of the seed call (two messages), each pressed through a different replica.
    const ts: string[] = [];
    const blocks: unknown[][] = [];
    for (const [i, r] of [replicas[0]!, replicas[2]!].entries()) {
      const before = api.callsTo('chat.postMessage').length;
      await command(r, 'UA', `post ${EXT} ${SEED_IDS.seedCall}`, 'CPRESS', `l${i}`);
      const post = await waitUntil(
        'the card',
        () =>
          api
            .callsTo('chat.postMessage')
            .slice(before)
            .find((c) => c.body.channel === 'CPRESS'),
        20_000,
      );
      ts.push(posted.get(post.seq)!);
      blocks.push(post.body.blocks as unknown[]);
    }
    const value = (blocks[0] as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>).flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.hold.01')?.value;
    expect(value).toBeDefined();
    sandbox.setFaults({ latencyMs: 400 });
    const start = sandbox.requests.length;
    const press = (i: number) =>
      blockActionPayload({
        user: 'UA',
        channel: 'CPRESS',
        messageTs: ts[i]!,
        messageBlocks: blocks[i] as never,
        actionId: 'call.hold.01',
        value: value!,
        responseUrl: api.responseUrl(`/p${i}`),
      });
    const answers = await Promise.all([blockAction(replicas[0]!.base, REPLICA_SECRET, press(0)), blockAction(replicas[2]!.base, REPLICA_SECRET, press(1))]);
    expect(answers.map((x) => x.status)).toEqual([200, 200]);
    await api.waitFor('response_url', (c) => /\/p[01]$/.test(c.path) && /already running/.test(String(c.body.text)), 20_000);
    await waitUntil('the hold to be done', () => sandbox.world.calls.get(SEED_IDS.seedCall)!.views[0]!.holder === 1, 20_000);
    sandbox.setFaults({});
    const puts = sandbox.requests.slice(start).filter((r) => r.method === 'PUT' && r.path.startsWith('/uapi/'));
    expect(puts).toHaveLength(1);
  }, 60_000);

  it('SIGKILL of the replica running the board: another takes over within 10 s and the cards keep updating', async () => {
    const holderPid = (await boardHolderPid(schema))!;
    const victim = replicas.find((r) => r.pid === holderPid)!;
    expect(victim).toBeDefined();
    const from = sandbox.requests.length;
    victim.child.kill('SIGKILL');
    const killed = Date.now();
    await victim.exited;
    const next = await waitUntil(
      'another replica to hold the board',
      async () => {
        const p = await boardHolderPid(schema);
        return p !== undefined && p !== holderPid && p;
      },
      15_000,
    );
    const leaseMs = Date.now() - killed;
    // The new holder's first read of the watched extension (nobody else reads the PBX now).
    await waitUntil('the new holder to read the extension', () => sandbox.requests.slice(from).some((r) => r.method === 'GET' && r.path.includes(`/phoneCalls/`)), 15_000);
    const readMs = Date.now() - killed;
    console.info(`failover: lease taken ${leaseMs} ms and first board read ${readMs} ms after SIGKILL (LEASE_SECONDS=${LEASE_SECONDS})`);
    expect(live().map((r) => r.pid)).toContain(next);
    expect(readMs).toBeLessThan(10_000);
    // The board keeps going: a change and a new call reach both channels, still one card each.
    const [a] = inbound;
    await desk(a!, 'resume');
    const c = await ring();
    await waitUntil('the resume and the new call on both channels', () => [CH1, CH2].every((ch) => cards(ch, c).length > 0 && !/on hold/i.test(headOf(cards(ch, a!)[0]!))), 30_000);
    expect(oneCardEach([SEED_IDS.seedCall, ...inbound]), logs()).toBe(true);
  }, 90_000);

  it('restarting every replica loses no link, watch or card', async () => {
    await Promise.all(
      live().map(async (r) => {
        r.child.kill('SIGTERM');
        expect((await r.exited).code).toBe(0);
      }),
    );
    replicas = await startAll();
    await waitUntil('a replica to hold the board lease', () => boardHolderPid(schema), 15_000);
    // The watches are still there (both channels), and so are the cards: a change updates them, a new call gets one.
    const [a] = inbound;
    await desk(a!, 'hold');
    const d = await ring();
    await waitUntil('the hold and the new call on both channels', () => [CH1, CH2].every((ch) => cards(ch, d).length > 0 && /hold/i.test(headOf(cards(ch, a!)[0]!))), 30_000);
    expect(oneCardEach([SEED_IDS.seedCall, ...inbound]), logs()).toBe(true);
    // The link: UA's command runs as VoipNow user 12 through a new replica.
    // `post` puts the call's card in the channel (a list is private).
    await command(replicas[1]!, 'UA', `post ${EXT} ${d}`, 'CPRESS', 'after');
    await waitUntil('the card after the restart', () => api.callsTo('chat.postMessage').some((c) => c.body.channel === 'CPRESS' && JSON.stringify(c.body.blocks).includes(d)), 20_000);
  }, 180_000);
});
