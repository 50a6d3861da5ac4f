/**
 * The writers' memory per message stays bounded: the board writer keeps at most
 * its cap of fully written cards however many calls stay live (and a change
 * to an evicted card still updates its own message), and the call-card write order
 * keeps an entry only while that message has writes under way.
 */
import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { Background } from '../src/background.js';
import type { CallSnapshot } from '../src/board/snapshot.js';
import { createLogger } from '../src/log.js';
import { OrderedWrites } from '../src/slack/cards/ordered-writes.js';
import { BoardWriter } from '../src/slack/board/writer.js';

const snapshot = (id: string, state: CallSnapshot['state'] = 'ringing'): CallSnapshot => ({
  id,
  extension: '0003*210',
  caller: 'Customer <5550001>',
  called: '0003*210',
  state,
  agents: [],
  legs: [],
});

/** A Web API that accepts every post (ts 1.N) and update at once, recording them. */
function acceptingSlack() {
  const posts: Array<{ channel: string; ts: string }> = [];
  const updates: Array<{ channel: string; ts: string }> = [];
  const client = {
    chat: {
      postMessage: async (a: { channel: string }) => {
        const ts = `1.${posts.length + 1}`;
        posts.push({ channel: a.channel, ts });
        return { ok: true, ts };
      },
      update: async (a: { channel: string; ts: string }) => {
        updates.push({ channel: a.channel, ts: a.ts });
        return { ok: true, ts: a.ts };
      },
    },
  } as unknown as WebClient;
  return { client, posts, updates };
}

describe('board writer memory', () => {
  it('keeps at most the cap of written cards while every call stays live, and still updates an evicted card in place', async () => {
    const slack = acceptingSlack();
    const background = new Background();
    const posted = new Map<string, string>();
    const writer = new BoardWriter(
      slack.client,
      { posted: async (ref, ts) => void posted.set(ref.phoneCallId, ts), liveCalls: () => [], mention: async () => undefined },
      background,
      createLogger('error', () => undefined),
      { postsPerSecond: 1e9, postBurst: 1e9, updatesPerMinute: 1e12, updateBurst: 1e9, compactBacklog: 1e9 },
    );
    writer.settledSlotCap = 50;
    const calls = 400;
    for (let i = 0; i < calls; i++) writer.card({ teamId: 'T1', channelId: `C${i % 20}`, phoneCallId: `call${i}` }, snapshot(`call${i}`), undefined);
    await background.idle();
    expect(slack.posts).toHaveLength(calls);
    expect(writer.backlog).toBe(0);
    expect(writer.size).toBeLessThanOrEqual(50);

    // The first card was evicted; its next change comes with its message ts (as the ledger gives it) and updates that message.
    const ts = posted.get('call0')!;
    writer.card({ teamId: 'T1', channelId: 'C0', phoneCallId: 'call0' }, snapshot('call0', 'on call'), ts);
    await background.idle();
    expect(slack.posts).toHaveLength(calls);
    expect(slack.updates).toEqual([{ channel: 'C0', ts }]);
    writer.close();
  });
});

describe('call card write order memory', () => {
  it('holds an entry per message only while its writes are under way, failed and superseded ones included', async () => {
    const writes = new OrderedWrites();
    const work: Array<Promise<void>> = [];
    for (let i = 0; i < 1000; i++) {
      const key = `C1:${i}`;
      work.push(writes.transient(key, async () => undefined).catch(() => undefined));
      work.push(writes.final(key, async () => (i % 3 === 0 ? Promise.reject(new Error('refused')) : undefined)).catch(() => undefined));
      work.push(
        writes
          .transient(key, () => {
            throw new Error('thrown before any promise');
          })
          .catch(() => undefined),
      );
    }
    expect(writes.size).toBe(1000);
    // A superseded transient settles only after the final write it re-applies.
    await Promise.all(work);
    expect(writes.size).toBe(0);
  });
});
