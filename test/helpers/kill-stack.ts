/**
 * One real callops process (`src/main.ts`) that the kill tests SIGKILL and restart, on its own
 * store (SQLite in a fresh directory, or a fresh PostgreSQL schema), with the sandbox PBX and the
 * recording Slack API; a board watches one extension of user 12 in one channel. And what those
 * tests read: a call's board cards, their headlines and thread lines, what the PBX says.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startSandbox, SEED_IDS, type Sandbox } from '../../src/sandbox/server.js';
import { PostgresStore, SqliteStore, TokenCipher } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { linkUser12 } from './linked-account.js';
import { freshSchema, pgUrl } from './pg.js';
import { dropSchemas, REPLICA_SECRET, type Replica, type ReplicaEnv, startReplica } from './replicas.js';
import { type ChannelMessage, type RecordedCall, type SlackApi, startSlackApi } from './slack-api.js';
import { blockAction, blockActionPayload, slashCommand } from './signed.js';
import { waitUntil } from './wait.js';

export const KILL_EXT = '0003*210';

export type KillBackend = 'SQLite' | 'PostgreSQL';
/** The backends the kill tests run on, and whether each is here (PostgreSQL needs a server). */
export const KILL_BACKENDS: ReadonlyArray<{ name: KillBackend; skip: boolean }> = [
  { name: 'SQLite', skip: false },
  { name: 'PostgreSQL', skip: !pgUrl },
];

/** The intent keys a write carries (message metadata). */
export const keysOf = (c: RecordedCall): string[] => {
  const keys = (c.body.metadata as { event_payload?: { keys?: unknown } } | undefined)?.event_payload?.keys;
  return Array.isArray(keys) ? keys.map(String) : [];
};

export interface KillStack {
  sandbox: Sandbox;
  api: SlackApi;
  readonly proc: Replica;
  channel: string;
  /** The call's board cards in the channel, as Slack shows them now. */
  cards(id: string): ChannelMessage[];
  /** Every line of the call's card thread, in order (several lines may share one reply). */
  lines(id: string): string[];
  count(id: string, re: RegExp): number;
  /** A new call ringing the watched extension. */
  ring(): Promise<string>;
  /** A desk-phone change in the sandbox (answer, hold, resume, hangup). */
  desk(id: string, action: string): Promise<void>;
  /** A new call the board has shown ringing, then answered. */
  answeredCall(): Promise<string>;
  /** What the PBX says of the call: on hold, or not. */
  heldAtPbx(id: string): boolean;
  /** Posts the call's call card in `channel` (through `/call post`); answers its message ts. */
  postCallCard(id: string, channel: string): Promise<string>;
  /** Presses a button of the call card as Slack shows it now (as `user`, default UA); false when the card has no such button. */
  press(channel: string, ts: string, actionPrefix: string, user?: string): Promise<boolean>;
  /** SIGKILLs the process and starts it again; `meanwhile` runs while none runs. */
  killAndRestart(meanwhile?: () => Promise<void>): Promise<void>;
  /** The process's store, opened anew (only while no process runs, i.e. in `killAndRestart`'s `meanwhile`); close it after. */
  openStore(): Promise<Store>;
  /** The end of the process's log, for failure messages. */
  logs(): string;
  close(): Promise<void>;
}

export const headOf = (m: ChannelMessage | undefined): string =>
  ((m?.blocks ?? []) as Array<{ block_id?: string; text?: { text?: string } }>).find((b) => b.block_id?.endsWith('.head'))?.text?.text ?? '';

/** Starts the stack and has the board watch the extension in `channel` (the seed call on it). */
export async function startKillStack(backend: KillBackend, channel: string): Promise<KillStack> {
  const key = randomBytes(32).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'callops-kill-'));
  const schema = backend === 'PostgreSQL' ? freshSchema('callops_kill') : undefined;
  const sandbox = await startSandbox({ pickupDelayMs: 30 });
  const api = await startSlackApi();
  const cipher = TokenCipher.fromKey(key);
  const openStore = async (): Promise<Store> => {
    const store: SqliteStore | PostgresStore = schema ? new PostgresStore({ connectionString: pgUrl!, cipher, schema }) : new SqliteStore({ file: join(dataDir, 'callops.sqlite'), cipher });
    await store.init();
    return store;
  };
  await linkUser12(await openStore(), sandbox, 'UA', KILL_EXT);
  // Two more agents of user 12, whose presses a test may leave without a usable link (the board stays UA's).
  for (const user of ['UB', 'UC']) await linkUser12(await openStore(), sandbox, user, KILL_EXT);
  const env = (): ReplicaEnv => ({
    slackApiUrl: api.url,
    voipnowUrl: sandbox.url,
    key,
    dataDir,
    ...(schema && { databaseUrl: pgUrl!, schema }),
    // A killed process's board lease lapses in two seconds, so its restart takes the board soon.
    extra: { BOARD_POLL_SECONDS: '0.3', BOARD_IDLE_POLL_SECONDS: '0.5', ...(schema && { LEASE_SECONDS: '2' }) },
  });
  let proc = await startReplica(env());
  const cards = (id: string) => api.messages(channel).filter((m) => JSON.stringify(m.blocks ?? []).includes(`"${id}.head"`));
  const lines = (id: string) => (cards(id)[0]?.replies ?? []).flatMap((r) => r.text.split('\n'));
  const count = (id: string, re: RegExp) => lines(id).filter((l) => re.test(l)).length;
  const desk = async (id: string, action: string) => {
    const res = await fetch(`${sandbox.url}/_sandbox/calls/${id}/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status, await res.clone().text()).toBe(200);
  };
  const logs = () => proc.stderr.slice(-4000);
  const stack: KillStack = {
    sandbox,
    api,
    get proc() {
      return proc;
    },
    channel,
    cards,
    lines,
    count,
    async ring() {
      const res = await fetch(`${sandbox.url}/_sandbox/calls`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ to: KILL_EXT, from: '5550002', autoAnswer: false }),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    },
    desk,
    async answeredCall() {
      const id = await stack.ring();
      await waitUntil('the ringing call on its card', () => count(id, /ringing/) === 1, 30_000);
      await desk(id, 'answer');
      await waitUntil('the answered call on its card', () => count(id, /answered/) === 1, 30_000).catch((err: Error) => {
        throw new Error(`${err.message}\ncards: ${JSON.stringify(cards(id).map(headOf))}\nlines: ${JSON.stringify(lines(id))}\n${logs()}`);
      });
      return id;
    },
    async postCallCard(id, where) {
      const before = api.messages(where).length;
      const res = await slashCommand(proc.base, REPLICA_SECRET, { user_id: 'UA', text: `post ${KILL_EXT} ${id}`, channel_id: where, response_url: api.responseUrl('/cmd/post') });
      expect(res.status).toBe(200);
      const m = await waitUntil('the call card', () => api.messages(where)[before], 30_000);
      return m.ts;
    },
    async press(where, ts, actionPrefix, user = 'UA') {
      const blocks = (api.message(where, ts)?.blocks ?? []) as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>;
      const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id?.startsWith(actionPrefix));
      if (!button?.action_id || button.value === undefined) return false;
      const payload = blockActionPayload({
        user,
        channel: where,
        messageTs: ts,
        messageBlocks: blocks as never,
        actionId: button.action_id,
        value: button.value,
        responseUrl: api.responseUrl('/press'),
      });
      expect((await blockAction(proc.base, REPLICA_SECRET, payload)).status).toBe(200);
      return true;
    },
    heldAtPbx: (id) => sandbox.world.calls.get(id)?.views.some((v) => v.onHold !== undefined) ?? false,
    async killAndRestart(meanwhile) {
      proc.child.kill('SIGKILL');
      await proc.exited;
      await meanwhile?.();
      proc = await startReplica(env());
    },
    openStore,
    logs,
    async close() {
      proc.child.kill('SIGKILL');
      await proc.exited;
      await api.close();
      await sandbox.close();
      if (schema) await dropSchemas(schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  const res = await slashCommand(proc.base, REPLICA_SECRET, { user_id: 'UA', text: `watch ${KILL_EXT}`, channel_id: channel, response_url: api.responseUrl('/cmd/watch') });
  expect(res.status).toBe(200);
  await api.waitFor('response_url', (c) => c.path.endsWith('/cmd/watch') && /Watching/.test(String(c.body.text)), 30_000);
  await waitUntil('the seed call on the board', () => cards(SEED_IDS.seedCall).length === 1, 30_000);
  return stack;
}
