/**
 * A channel's chat.postMessage budget is shared by new cards and the audit lines in their
 * threads: lines leave one post of it for the next new card, so a call that starts ringing is
 * not shown a second late behind the lines of another call's change.
 */
import { describe, expect, it } from 'vitest';
import { boardSnapshot as snapshot, recordedBoardWriter } from './helpers/board-writer.js';
import { waitUntil } from './helpers/wait.js';

describe('board post budget', () => {
  it('audit lines leave a post of the channel budget for a new card', async () => {
    // Two posts at once, then one a minute: nothing refills during the test.
    const { writer, posts } = recordedBoardWriter({ postsPerSecond: 1 / 60, postBurst: 2 });
    try {
      const a = { teamId: 'T1', channelId: 'C1', phoneCallId: 'P1' };
      writer.card(a, snapshot('P1', 'ringing'), undefined);
      await waitUntil("P1's card", () => posts().length === 1);
      // One post left: P1's audit line may not take it...
      writer.audit(a, 'P1 was answered');
      // ...so P2's new card gets it.
      writer.card({ teamId: 'T1', channelId: 'C1', phoneCallId: 'P2' }, snapshot('P2', 'ringing'), undefined);
      await waitUntil("P2's card", () => posts().length === 2, { timeoutMs: 3000 });
      expect(posts()[1]!.thread_ts).toBeUndefined();
      expect(posts().some((p) => p.thread_ts)).toBe(false);
    } finally {
      writer.close();
    }
  });
});
