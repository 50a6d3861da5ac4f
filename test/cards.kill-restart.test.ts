/**
 * Cards survive SIGKILL at the moments that matter, through a real callops process
 * (`src/main.ts`, its own SQLite store), the sandbox PBX and the recording Slack API, which
 * can leave one chosen write unanswered (before or after it took it) so the process is killed
 * exactly while that write is in flight. After each restart every card shows what the PBX
 * shows, every change has exactly one audit line, and no card is posted twice.
 *
 * The tests run in order and share the sandbox and the channel (a process start costs seconds).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, SEED_IDS, type Sandbox } from '../src/sandbox/server.js';
import { SqliteStore, TokenCipher } from '../src/store/index.js';
import { startSlackApi, type ChannelMessage, type RecordedCall, type SlackApi } from './helpers/slack-api.js';
import { blockAction, blockActionPayload, slashCommand } from './helpers/signed.js';
import { waitUntil } from './helpers/wait.js';
import { linkUser12 } from './helpers/linked-account.js';
import { REPLICA_SECRET, startReplica, type Replica } from './helpers/replicas.js';

const CH = 'CKILL';
const EXT = '0003*210';

/** The intent keys a write carries (message metadata). */
const keysOf = (c: RecordedCall): string[] => {
  const keys = (c.body.metadata as { event_payload?: { keys?: unknown } } | undefined)?.event_payload?.keys;
  return Array.isArray(keys) ? keys.map(String) : [];
};

describe('cards across SIGKILL and restart (one process, SQLite)', () => {
  const key = randomBytes(32).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'callops-kill-'));
  let sandbox: Sandbox;
  let api: SlackApi;
  let proc: Replica;
  const made: string[] = [];

  const env = () => ({ slackApiUrl: api.url, voipnowUrl: sandbox.url, key, dataDir, extra: { BOARD_POLL_SECONDS: '0.3', BOARD_IDLE_POLL_SECONDS: '0.5' } });
  /** The call's board cards in the channel, as Slack shows them now. */
  const cards = (id: string): ChannelMessage[] => api.messages(CH).filter((m) => JSON.stringify(m.blocks ?? []).includes(`"${id}.head"`));
  const head = (m: ChannelMessage | undefined): string =>
    ((m?.blocks ?? []) as Array<{ block_id?: string; text?: { text?: string } }>).find((b) => b.block_id?.endsWith('.head'))?.text?.text ?? '';
  /** Every line of the card's thread, in order (several lines may share one reply). */
  const lines = (id: string): string[] => (cards(id)[0]?.replies ?? []).flatMap((r) => r.text.split('\n'));
  const count = (id: string, re: RegExp) => lines(id).filter((l) => re.test(l)).length;
  const ring = async (): Promise<string> => {
    const res = await fetch(`${sandbox.url}/_sandbox/calls`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: EXT, from: '5550002', autoAnswer: false }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    made.push(id);
    return id;
  };
  const desk = async (id: string, action: string) => {
    const res = await fetch(`${sandbox.url}/_sandbox/calls/${id}/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status, await res.clone().text()).toBe(200);
  };
  /** A new call the board has shown ringing, then answered. */
  const answeredCall = async (): Promise<string> => {
    const id = await ring();
    await waitUntil('the ringing call on its card', () => count(id, /ringing/) === 1, 30_000);
    await desk(id, 'answer');
    await waitUntil('the answered call on its card', () => count(id, /answered/) === 1, 30_000).catch((err: Error) => {
      throw new Error(`${err.message}\ncards: ${JSON.stringify(cards(id).map(head))}\nlines: ${JSON.stringify(lines(id))}\n${logs()}`);
    });
    return id;
  };
  /** What the PBX says of the call: on hold, or not. */
  const heldAtPbx = (id: string) => sandbox.world.calls.get(id)?.views.some((v) => v.onHold !== undefined) ?? false;
  const killAndRestart = async () => {
    proc.child.kill('SIGKILL');
    await proc.exited;
    proc = await startReplica(env());
  };
  const logs = () => proc.stderr.slice(-4000);

  beforeAll(async () => {
    sandbox = await startSandbox({ pickupDelayMs: 30 });
    api = await startSlackApi();
    const store = new SqliteStore({ file: join(dataDir, 'callops.sqlite'), cipher: TokenCipher.fromKey(key) });
    await linkUser12(store, sandbox, 'UA', EXT);
    proc = await startReplica(env());
    const res = await slashCommand(proc.base, REPLICA_SECRET, { user_id: 'UA', text: `watch ${EXT}`, channel_id: CH, response_url: api.responseUrl('/cmd/watch') });
    expect(res.status).toBe(200);
    await api.waitFor('response_url', (c) => c.path.endsWith('/cmd/watch') && /Watching/.test(String(c.body.text)), 30_000);
    await waitUntil('the seed call on the board', () => cards(SEED_IDS.seedCall).length === 1, 30_000);
  }, 120_000);

  afterAll(async () => {
    proc?.child.kill('SIGKILL');
    await proc?.exited;
    await api?.close();
    await sandbox?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('killed after Slack took a new card but before callops heard back: the restart finds that card and updates it, never posts a second', async () => {
    let id = '';
    // Read when the post arrives, which is after the PBX answered the ring (the board reads it first).
    const held = api.hold('chat.postMessage', (c) => id !== '' && keysOf(c).some((k) => k === `card|T1|${CH}|${id}`), 'accepted');
    id = await ring();
    const post = await held;
    expect(JSON.stringify(post.body.blocks)).toContain(`${id}.head`);
    await killAndRestart();
    await desk(id, 'answer');
    await waitUntil('the answered call on its card', () => cards(id).length === 1 && /on call|talking|answered/i.test(head(cards(id)[0])) && count(id, /answered/) === 1, 30_000).catch(
      (err: Error) => {
        throw new Error(`${err.message}\ncards: ${JSON.stringify(cards(id).map(head))}\nlines: ${JSON.stringify(lines(id))}\n${logs()}`);
      },
    );
    expect(cards(id)).toHaveLength(1);
    expect(count(id, /ringing/)).toBe(1);
    expect(count(id, /answered/)).toBe(1);
    // The replay looked before it posted: the channel was read once, for this card's key.
    expect(api.callsTo('conversations.history').length).toBeGreaterThan(0);
  }, 90_000);

  it('killed after the PBX took a change but before Slack took its writes: the restart shows it, with one audit line', async () => {
    const id = await answeredCall();
    const ts = cards(id)[0]!.ts;
    const held = api.hold('chat.update', (c) => c.body.ts === ts, 'before');
    await desk(id, 'hold');
    await held;
    await killAndRestart();
    await waitUntil('the hold on the card and in its thread', () => /hold/i.test(head(cards(id)[0])) && count(id, /put on hold/) >= 1, 30_000).catch((err: Error) => {
      throw new Error(`${err.message}\nhead: ${head(cards(id)[0])}\nlines: ${JSON.stringify(lines(id))}\n${logs()}`);
    });
    expect(heldAtPbx(id)).toBe(true);
    // A later change is drawn after everything the replay owed, so nothing more of the hold can follow it.
    await desk(id, 'resume');
    await waitUntil('the resume in the thread', () => count(id, /resumed/) === 1, 30_000);
    expect(count(id, /put on hold/)).toBe(1);
    expect(cards(id)).toHaveLength(1);
  }, 90_000);

  it('killed after Slack took an audit line but before callops heard back: the restart finds it in the thread and does not post it again', async () => {
    const id = await answeredCall();
    const ts = cards(id)[0]!.ts;
    const held = api.hold('chat.postMessage', (c) => c.body.thread_ts === ts && keysOf(c).some((k) => k.startsWith('line|')), 'accepted');
    await desk(id, 'hold');
    const line = await held;
    expect(String(line.body.text)).toMatch(/put on hold/);
    const repliesBefore = api.callsTo('conversations.replies').length;
    await killAndRestart();
    await waitUntil('the restart to look in the thread', () => api.callsTo('conversations.replies').length > repliesBefore, 30_000);
    await desk(id, 'resume');
    await waitUntil('the resume on the card and in its thread', () => !/hold/i.test(head(cards(id)[0])) && count(id, /resumed/) === 1, 30_000).catch((err: Error) => {
      throw new Error(`${err.message}\nlines: ${JSON.stringify(lines(id))}\n${logs()}`);
    });
    expect(count(id, /put on hold/)).toBe(1);
    expect(cards(id)).toHaveLength(1);
  }, 90_000);

  it('killed while a slow press runs on a call card: the restart marks that card interrupted, never leaves it working…', async () => {
    const channel = 'CPRESSKILL';
    const before = api.callsTo('chat.postMessage').length;
    await slashCommand(proc.base, REPLICA_SECRET, { user_id: 'UA', text: `post ${EXT} ${SEED_IDS.seedCall}`, channel_id: channel, response_url: api.responseUrl('/cmd/post') });
    const post = await waitUntil(
      'the call card',
      () =>
        api
          .callsTo('chat.postMessage')
          .slice(before)
          .find((c) => c.body.channel === channel),
      30_000,
    );
    const ts = api.messages(channel)[0]!.ts;
    const blocks = post.body.blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>;
    const hold = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.hold.01');
    expect(hold?.value).toBeDefined();
    // VoipNow stops answering: the press's PUT never returns while the process lives.
    sandbox.setFaults({ hang: true });
    const press = blockActionPayload({
      user: 'UA',
      channel,
      messageTs: ts,
      messageBlocks: blocks as never,
      actionId: 'call.hold.01',
      value: hold!.value!,
      responseUrl: api.responseUrl('/press'),
    });
    expect((await blockAction(proc.base, REPLICA_SECRET, press)).status).toBe(200);
    await waitUntil('the card to say working', () => /working…/.test(JSON.stringify(api.message(channel, ts)?.blocks)), 20_000);
    await killAndRestart();
    sandbox.setFaults({});
    await waitUntil('the card to be marked interrupted', () => /Interrupted by a callops restart/.test(JSON.stringify(api.message(channel, ts)?.blocks)), 30_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${JSON.stringify(api.message(channel, ts)?.blocks)}\n${logs()}`);
    });
    expect(JSON.stringify(api.message(channel, ts)?.blocks)).not.toMatch(/working…/);
  }, 90_000);

  it('after all of it, every call has exactly one card, showing what the PBX shows', async () => {
    // The calls this suite made, and every other call the board shows.
    const ids = [...sandbox.world.calls.keys()].filter((id) => made.includes(id) || cards(id).length > 0);
    expect(made.length).toBe(3);
    await waitUntil('every card to match the PBX', () => ids.every((id) => cards(id).length === 1 && /hold/i.test(head(cards(id)[0])) === heldAtPbx(id)), 30_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${ids.map((id) => `${id}: ${cards(id).length} card(s), ${head(cards(id)[0])}, held at PBX ${heldAtPbx(id)}`).join('\n')}`);
    });
  }, 60_000);
});
