/**
 * Slack's Tier-3 limit on chat.update is per workspace, so the board's update budget is
 * too: a workspace that spent its budget waits, while another workspace's card is
 * updated at once.
 */
import { describe, expect, it } from 'vitest';
import { boardSnapshot as snapshot, recordedBoardWriter } from './helpers/board-writer.js';
import { waitUntil } from './helpers/wait.js';

describe('board update budgets', () => {
  it("one workspace out of its chat.update budget does not hold up another workspace's card", async () => {
    // One update a minute per workspace, no burst beyond one.
    const { writer, updates } = recordedBoardWriter({ updatesPerMinute: 1, updateBurst: 1 });
    try {
      const busy = { teamId: 'T1', channelId: 'C1', phoneCallId: 'P1' };
      writer.card(busy, snapshot('P1', 'ringing'), '100.1');
      await waitUntil("T1's first update", () => updates().length === 1);
      // T1 has spent its budget: its next change waits about a minute.
      writer.card(busy, snapshot('P1', 'on call'), '100.1');
      // T9's card goes out at once all the same.
      writer.card({ teamId: 'T9', channelId: 'C9', phoneCallId: 'P9' }, snapshot('P9', 'ringing'), '900.1');
      await waitUntil("T9's update", () => updates().some((u) => u.channel === 'C9'), { timeoutMs: 3000 });
      expect(updates().filter((u) => u.channel === 'C1')).toHaveLength(1);
      expect(writer.backlog).toBe(1);
    } finally {
      writer.close();
    }
  });
});
