/**
 * Slack's Tier-3 limit on chat.update is per workspace, so the board's update budget is
 * too: a workspace that spent its budget waits, while another workspace's card is
 * updated at once.
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

describe('board update budgets', () => {
  it("one workspace out of its chat.update budget does not hold up another workspace's card", async () => {
    const updates: { channel: string; text: string }[] = [];
    const client = {
      chat: {
        update: async (args: { channel: string; text: string }) => {
          updates.push(args);
          return { ok: true, ts: '1.1' };
        },
        postMessage: async () => ({ ok: true, ts: '2.2' }),
      },
    } as unknown as WebClient;
    const background = new Background(() => undefined);
    const writer = new BoardWriter(
      client,
      { posted: async () => undefined, liveCalls: () => [], mention: async () => undefined },
      background,
      createLogger('error', () => undefined),
      // One update a minute per workspace, no burst beyond one.
      { updatesPerMinute: 1, updateBurst: 1 },
    );
    try {
      const busy = { teamId: 'T1', channelId: 'C1', phoneCallId: 'P1' };
      writer.card(busy, snapshot('P1', 'ringing'), '100.1');
      await waitUntil("T1's first update", () => updates.length === 1);
      // T1 has spent its budget: its next change waits about a minute.
      writer.card(busy, snapshot('P1', 'on call'), '100.1');
      // T9's card goes out at once all the same.
      writer.card({ teamId: 'T9', channelId: 'C9', phoneCallId: 'P9' }, snapshot('P9', 'ringing'), '900.1');
      await waitUntil("T9's update", () => updates.some((u) => u.channel === 'C9'), { timeoutMs: 3000 });
      expect(updates.filter((u) => u.channel === 'C1')).toHaveLength(1);
      expect(writer.backlog).toBe(1);
    } finally {
      writer.close();
    }
  });
});
