/**
 * A channel's chat.postMessage budget is shared by new cards and the audit lines in their
 * threads: lines leave one post of it for the next new card, so a call that starts ringing is
 * not shown a second late behind the lines of another call's change.
 */
import { describe, expect, it } from 'vitest';
import type { WebClient } from '@slack/web-api';
import { Background } from '../src/background.js';
import type { CallSnapshot } from '../src/board/snapshot.js';
import { createLogger } from '../src/log.js';
import { BoardWriter } from '../src/slack/board/writer.js';
import { waitUntil } from './helpers/wait.js';

function snapshot(id: string, state: CallSnapshot['state']): CallSnapshot {
  return { id, extension: '0003*210', caller: 'Customer <5550001>', called: '0003*210', state, agents: ['0003*210'], legs: [] };
}

describe('board post budget', () => {
  it('audit lines leave a post of the channel budget for a new card', async () => {
    const posts: Array<{ channel: string; text: string; thread_ts?: string }> = [];
    let n = 0;
    const client = {
      chat: {
        update: async () => ({ ok: true }),
        postMessage: async (args: { channel: string; text: string; thread_ts?: string }) => {
          posts.push(args);
          n++;
          return { ok: true, ts: `${n}.1` };
        },
      },
    } as unknown as WebClient;
    const background = new Background(() => undefined);
    const writer = new BoardWriter(
      client,
      { posted: async () => undefined, liveCalls: () => [], mention: async () => undefined },
      background,
      createLogger('error', () => undefined),
      // Two posts at once, then one a minute: nothing refills during the test.
      { postsPerSecond: 1 / 60, postBurst: 2 },
    );
    try {
      const a = { teamId: 'T1', channelId: 'C1', phoneCallId: 'P1' };
      writer.card(a, snapshot('P1', 'ringing'), undefined);
      await waitUntil("P1's card", () => posts.length === 1);
      // One post left: P1's audit line may not take it...
      writer.audit(a, 'P1 was answered');
      // ...so P2's new card gets it.
      writer.card({ teamId: 'T1', channelId: 'C1', phoneCallId: 'P2' }, snapshot('P2', 'ringing'), undefined);
      await waitUntil("P2's card", () => posts.length === 2, { timeoutMs: 3000 });
      expect(posts[1]!.thread_ts).toBeUndefined();
      expect(posts.some((p) => p.thread_ts)).toBe(false);
    } finally {
      writer.close();
    }
  });
});
