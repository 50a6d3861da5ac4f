/**
 * Cards survive SIGKILL at the moments that matter, through a real callops process
 * (`src/main.ts`, its own store: SQLite, or a PostgreSQL schema of its own), the sandbox PBX and
 * the recording Slack API, which can leave one chosen write unanswered (before or after it took
 * it) so the process is killed exactly while that write is in flight. After each restart every
 * card shows what the PBX shows, every change has exactly one audit line, and no card is posted
 * twice. A call card whose press was killed is drawn again with the call as the presser's own
 * link reads it now (or marked interrupted, asking for a Refresh, when that link is unusable).
 *
 * The tests of one backend run in order and share the sandbox and the channel (a process start costs seconds).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/sandbox/server.js';
import { headOf as head, KILL_BACKENDS, keysOf, type KillStack, startKillStack } from './helpers/kill-stack.js';
import type { Store } from '../src/store/types.js';
import { REPLICA_SECRET } from './helpers/replicas.js';
import { blockAction, blockActionPayload } from './helpers/signed.js';
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
    const killAndRestart = (meanwhile?: () => Promise<void>) => k.killAndRestart(meanwhile);
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

    /** The card's blocks as Slack shows them now, as one string. */
    const shown = (channel: string, ts: string) => JSON.stringify(k.api.message(channel, ts)?.blocks ?? []);
    /** The versions the card's call buttons carry. */
    const versions = (blocks: unknown) =>
      (blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>)
        .flatMap((b) => b.elements ?? [])
        .filter((e) => e.action_id?.startsWith('call.') && e.value)
        .map((e) => (JSON.parse(e.value!) as { version?: number }).version ?? 0);
    /** Presses `prefix` on the card while VoipNow hangs, and waits for the card to say working. */
    const pressHanging = async (channel: string, ts: string, prefix: string, user = 'UA') => {
      k.sandbox.setFaults({ hang: true });
      expect(await k.press(channel, ts, prefix, user)).toBe(true);
      await waitUntil('the card to say working', () => /working…/.test(shown(channel, ts)), 20_000);
    };
    const cardSays = (channel: string, ts: string, what: string, re: RegExp) =>
      waitUntil(what, () => re.test(shown(channel, ts)) && !/working…/.test(shown(channel, ts)), 40_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${shown(channel, ts)}\n${logs()}`);
      });

    it('killed while a slow press runs on a call card, the press happening meanwhile: the restart draws the card as the PBX shows it, at a new version', async () => {
      const channel = 'CPRESSKILL';
      const id = SEED_IDS.seedCall;
      expect(heldAtPbx(id)).toBe(false);
      const ts = await k.postCallCard(id, channel);
      const drawn = k.api.message(channel, ts)!.blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>;
      const oldHold = drawn.flatMap((b) => b.elements ?? []).find((e) => e.action_id?.startsWith('call.hold.'));
      expect(oldHold?.value).toBeDefined();
      // VoipNow stops answering: the press's PUT never returns while the process lives.
      await pressHanging(channel, ts, 'call.hold.');
      await killAndRestart(async () => {
        // VoipNow answers again: the hold the killed process sent is carried out or dropped (the
        // sandbox drops a request whose client is gone once it sees that); else the desk phone holds the call.
        k.sandbox.setFaults({});
        const res = await fetch(`${k.sandbox.url}/_sandbox/calls/${id}/hold`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
        expect([200, 409]).toContain(res.status);
        await waitUntil('the hold at the PBX', () => heldAtPbx(id), 20_000);
      });
      await cardSays(channel, ts, 'the card drawn on hold, saying the press was interrupted', /<@UA>'s Hold was interrupted by a callops restart/);
      expect(/hold/i.test(head(k.api.message(channel, ts)))).toBe(true);
      expect(shown(channel, ts)).toMatch(/"call\.resume\./);
      expect(shown(channel, ts)).not.toMatch(/press Refresh/);
      // A new state of the card: its buttons carry a newer version, and the old Hold button is out of date.
      expect(Math.min(...versions(k.api.message(channel, ts)!.blocks))).toBeGreaterThan(Math.max(...versions(drawn)));
      const press = blockActionPayload({
        user: 'UA',
        channel,
        messageTs: ts,
        messageBlocks: drawn as never,
        actionId: oldHold!.action_id!,
        value: oldHold!.value!,
        responseUrl: k.api.responseUrl('/press-old'),
      });
      expect((await blockAction(k.proc.base, REPLICA_SECRET, press)).status).toBe(200);
      await k.api.waitFor('response_url', (c) => c.path.endsWith('/press-old') && /older version of this card/.test(String(c.body.text)), 20_000);
    }, 120_000);

    it('killed while a slow press runs on a call card whose call then ends: the restart shows the call ended', async () => {
      const channel = 'CPRESSEND';
      const id = await answeredCall();
      const ts = await k.postCallCard(id, channel);
      await pressHanging(channel, ts, 'call.hold.');
      await killAndRestart(async () => {
        k.sandbox.setFaults({});
        await desk(id, 'hangup');
      });
      await cardSays(channel, ts, 'the card drawn ended, saying the press was interrupted', /has ended\..*<@UA>'s Hold was interrupted by a callops restart/);
      expect(shown(channel, ts)).not.toMatch(/"call\.(hold|resume)\./);
    }, 120_000);

    // The pressing user's link is gone, or VoipNow refuses its token (and its renewal): the call cannot be read as them.
    const lostLinks: ReadonlyArray<[string, string, (store: Store) => Promise<void>]> = [
      ['who then unlinks', 'UB', async (store) => void expect(await store.deleteLinkedAccount('T1', 'UB')).toBe(true)],
      [
        'whose token VoipNow then refuses',
        'UC',
        async (store) => {
          const account = await store.getLinkedAccount('T1', 'UC');
          await store.saveLinkedAccount({ ...account!, accessToken: 'refused-access-token', refreshToken: 'refused-refresh-token', expiresAt: new Date(Date.now() + 3600_000) });
        },
      ],
    ];
    for (const [who, user, lose] of lostLinks) {
      it(`killed while a slow press runs on a call card of a user ${who}: the restart marks the card interrupted, asking for a Refresh`, async () => {
        const channel = `CPRESSLOST${user}`;
        // A call of its own: an action on a call runs once at a time, and a killed press holds its call's turn a while.
        const ts = await k.postCallCard(await answeredCall(), channel);
        await pressHanging(channel, ts, 'call.hold.', user);
        await killAndRestart(async () => {
          k.sandbox.setFaults({});
          const store = await k.openStore();
          try {
            await lose(store);
          } finally {
            await store.close();
          }
        });
        await cardSays(channel, ts, 'the card to be marked interrupted', /Interrupted by a callops restart; press Refresh/);
        expect(shown(channel, ts)).not.toMatch(/was interrupted by a callops restart; the card shows/);
      }, 120_000);
    }

    it('a card note written before notes said who pressed: the restart marks its card interrupted, asking for a Refresh', async () => {
      const channel = 'COLDNOTE';
      const id = SEED_IDS.seedCall;
      const ts = await k.postCallCard(id, channel);
      const blocks = k.api.message(channel, ts)!.blocks;
      await killAndRestart(async () => {
        const store = await k.openStore();
        try {
          // The note as older code recorded it: the card, without who pressed.
          await store.outbox.commitBoardChange({
            intents: [
              {
                key: `note|${channel}|${ts}|0ld0ld`,
                teamId: 'T1',
                channelId: channel,
                phoneCallId: id,
                kind: 'note',
                seq: 0,
                payload: JSON.stringify({ ts, blocks }),
                createdAt: new Date(Date.now() - 60_000),
              },
            ],
          });
        } finally {
          await store.close();
        }
      });
      await cardSays(channel, ts, 'the card to be marked interrupted', /Interrupted by a callops restart; press Refresh/);
    }, 120_000);

    it('after all of it, every call has exactly one card, showing what the PBX shows', async () => {
      // The calls this suite made, and every other call the board shows.
      const ids = [...k.sandbox.world.calls.keys()].filter((id) => made.includes(id) || cards(id).length > 0);
      expect(made.length).toBe(6);
      await waitUntil('every card to match the PBX', () => ids.every((id) => cards(id).length === 1 && /hold/i.test(head(cards(id)[0])) === heldAtPbx(id)), 30_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${ids.map((id) => `${id}: ${cards(id).length} card(s), ${head(cards(id)[0])}, held at PBX ${heldAtPbx(id)}`).join('\n')}`);
      });
    }, 60_000);
  });
}
