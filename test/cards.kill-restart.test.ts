/**
 * Cards survive SIGKILL at the moments that matter, through a real callops process
 * (`src/main.ts`, its own store: SQLite, or a PostgreSQL schema of its own), the sandbox PBX and
 * the recording Slack API, which can leave one chosen write unanswered (before or after it took
 * it) so the process is killed exactly while that write is in flight. After each restart every
 * card shows what the PBX shows, every change has exactly one audit line, and no card is posted
 * twice.
 *
 * The tests of one backend run in order and share the sandbox and the channel (a process start costs seconds).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/sandbox/server.js';
import { headOf as head, KILL_BACKENDS, KILL_EXT as EXT, keysOf, type KillStack, startKillStack } from './helpers/kill-stack.js';
import { REPLICA_SECRET } from './helpers/replicas.js';
import { blockAction, blockActionPayload, slashCommand } from './helpers/signed.js';
import { waitUntil } from './helpers/wait.js';

for (const [n, backend] of KILL_BACKENDS.entries()) {
  describe.skipIf(backend.skip)(`cards across SIGKILL and restart (one process, ${backend.name})`, () => {
    const CH = `CKILL${n}`;
    let k: KillStack;
    const made: string[] = [];
    const cards = (id: string) => k.cards(id);
    const lines = (id: string) => k.lines(id);
    const count = (id: string, re: RegExp) => k.count(id, re);
    const ring = async () => {
      const id = await k.ring();
      made.push(id);
      return id;
    };
    const desk = (id: string, action: string) => k.desk(id, action);
    const answeredCall = async () => {
      const id = await k.answeredCall();
      made.push(id);
      return id;
    };
    const heldAtPbx = (id: string) => k.heldAtPbx(id);
    const killAndRestart = () => k.killAndRestart();
    const logs = () => k.logs();

    beforeAll(async () => {
      k = await startKillStack(backend.name, CH);
    }, 120_000);

    afterAll(async () => {
      await k?.close();
    });

    it('killed after Slack took a new card but before callops heard back: the restart finds that card and updates it, never posts a second', async () => {
      let id = '';
      // Read when the post arrives, which is after the PBX answered the ring (the board reads it first).
      const held = k.api.hold('chat.postMessage', (c) => id !== '' && keysOf(c).some((key) => key === `card|T1|${CH}|${id}`), 'accepted');
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
      expect(k.api.callsTo('conversations.history').length).toBeGreaterThan(0);
    }, 90_000);

    it('killed after the PBX took a change but before Slack took its writes: the restart shows it, with one audit line', async () => {
      const id = await answeredCall();
      const ts = cards(id)[0]!.ts;
      const held = k.api.hold('chat.update', (c) => c.body.ts === ts, 'before');
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
      const held = k.api.hold('chat.postMessage', (c) => c.body.thread_ts === ts && keysOf(c).some((k) => k.startsWith('line|')), 'accepted');
      await desk(id, 'hold');
      const line = await held;
      expect(String(line.body.text)).toMatch(/put on hold/);
      const repliesBefore = k.api.callsTo('conversations.replies').length;
      await killAndRestart();
      await waitUntil('the restart to look in the thread', () => k.api.callsTo('conversations.replies').length > repliesBefore, 30_000);
      await desk(id, 'resume');
      await waitUntil('the resume on the card and in its thread', () => !/hold/i.test(head(cards(id)[0])) && count(id, /resumed/) === 1, 30_000).catch((err: Error) => {
        throw new Error(`${err.message}\nlines: ${JSON.stringify(lines(id))}\n${logs()}`);
      });
      expect(count(id, /put on hold/)).toBe(1);
      expect(cards(id)).toHaveLength(1);
    }, 90_000);

    it('killed while a slow press runs on a call card: the restart marks that card interrupted, never leaves it working…', async () => {
      const channel = 'CPRESSKILL';
      const before = k.api.callsTo('chat.postMessage').length;
      await slashCommand(k.proc.base, REPLICA_SECRET, { user_id: 'UA', text: `post ${EXT} ${SEED_IDS.seedCall}`, channel_id: channel, response_url: k.api.responseUrl('/cmd/post') });
      const post = await waitUntil(
        'the call card',
        () =>
          k.api
            .callsTo('chat.postMessage')
            .slice(before)
            .find((c) => c.body.channel === channel),
        30_000,
      );
      const ts = k.api.messages(channel)[0]!.ts;
      const blocks = post.body.blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>;
      const hold = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.hold.01');
      expect(hold?.value).toBeDefined();
      // VoipNow stops answering: the press's PUT never returns while the process lives.
      k.sandbox.setFaults({ hang: true });
      const press = blockActionPayload({
        user: 'UA',
        channel,
        messageTs: ts,
        messageBlocks: blocks as never,
        actionId: 'call.hold.01',
        value: hold!.value!,
        responseUrl: k.api.responseUrl('/press'),
      });
      expect((await blockAction(k.proc.base, REPLICA_SECRET, press)).status).toBe(200);
      await waitUntil('the card to say working', () => /working…/.test(JSON.stringify(k.api.message(channel, ts)?.blocks)), 20_000);
      await killAndRestart();
      k.sandbox.setFaults({});
      await waitUntil('the card to be marked interrupted', () => /Interrupted by a callops restart/.test(JSON.stringify(k.api.message(channel, ts)?.blocks)), 30_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${JSON.stringify(k.api.message(channel, ts)?.blocks)}\n${logs()}`);
      });
      expect(JSON.stringify(k.api.message(channel, ts)?.blocks)).not.toMatch(/working…/);
    }, 90_000);

    it('after all of it, every call has exactly one card, showing what the PBX shows', async () => {
      // The calls this suite made, and every other call the board shows.
      const ids = [...k.sandbox.world.calls.keys()].filter((id) => made.includes(id) || cards(id).length > 0);
      expect(made.length).toBe(3);
      await waitUntil('every card to match the PBX', () => ids.every((id) => cards(id).length === 1 && /hold/i.test(head(cards(id)[0])) === heldAtPbx(id)), 30_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${ids.map((id) => `${id}: ${cards(id).length} card(s), ${head(cards(id)[0])}, held at PBX ${heldAtPbx(id)}`).join('\n')}`);
      });
    }, 60_000);
  });
}
