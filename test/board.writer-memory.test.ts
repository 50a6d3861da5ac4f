/**
 * The writers' memory per message stays bounded: the board writer keeps at most
 * its cap of fully written cards however many calls stay live (and a change
 * to an evicted card still updates its own message), and the call-card writer
 * keeps an entry only while that message has writes waiting or under way.
 */
import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { CardWriter } from '../src/slack/cards/card-writer.js';
import { BudgetedSender } from '../src/slack/board/budgeted-sender.js';
import { DEFAULT_BUDGETS } from '../src/slack/board/budget.js';
import { waitUntil } from './helpers/wait.js';
import { boardSnapshot as snapshot, recordedBoardWriter } from './helpers/board-writer.js';

describe('board writer memory', () => {
  it('keeps at most the cap of written cards while every call stays live, and still updates an evicted card in place', async () => {
    const posted = new Map<string, string>();
    const { writer, background, posts, updates } = recordedBoardWriter(
      { postsPerSecond: 1e9, postBurst: 1e9, updatesPerMinute: 1e12, updateBurst: 1e9, compactBacklog: 1e9 },
      { posted: async (ref, ts) => void posted.set(ref.phoneCallId, ts) },
    );
    writer.settledSlotCap = 50;
    const calls = 400;
    for (let i = 0; i < calls; i++) writer.card({ teamId: 'T1', channelId: `C${i % 20}`, phoneCallId: `call${i}` }, snapshot(`call${i}`), undefined);
    await background.idle();
    expect(posts()).toHaveLength(calls);
    expect(writer.backlog).toBe(0);
    expect(writer.size).toBeLessThanOrEqual(50);

    // The first card was evicted; its next change comes with its message ts (as the ledger gives it) and updates that message.
    const ts = posted.get('call0')!;
    writer.card({ teamId: 'T1', channelId: 'C0', phoneCallId: 'call0' }, snapshot('call0', 'on call'), ts);
    await background.idle();
    expect(posts()).toHaveLength(calls);
    expect(updates().map((u) => ({ channel: u.channel, ts: u.ts }))).toEqual([{ channel: 'C0', ts }]);
    writer.close();
  });
});

describe('call card writer memory', () => {
  it('holds an entry per message only while its writes wait or are under way, failed and superseded ones included', async () => {
    const client = {
      chat: {
        update: async (args: { ts: string }) => {
          if (Number(args.ts.split('.')[1]) % 3 === 0) throw Object.assign(new Error('refused'), { data: { error: 'cant_update_message' } });
          return { ok: true, ts: args.ts };
        },
      },
    } as unknown as WebClient;
    const logger = createLogger('error', () => undefined);
    const sender = new BudgetedSender({ ...DEFAULT_BUDGETS, updatesPerMinute: 1_000_000, updateBurst: 10_000 }, logger, Date.now);
    const writer = new CardWriter(sender, () => client, logger);
    const msg = { text: 'card', blocks: [] };
    const work: Array<Promise<unknown>> = [];
    for (let i = 0; i < 1000; i++) {
      const place = { teamId: 'T1', channelId: 'C1', ts: `1.${i}` };
      work.push(writer.update({ ...place, draw: async () => msg, next: false, transient: true }).catch(() => undefined));
      work.push(writer.update({ ...place, draw: async () => msg, next: true }).catch(() => undefined));
      work.push(
        writer
          .update({
            ...place,
            draw: () => {
              throw new Error('thrown before any promise');
            },
            next: false,
            transient: true,
          })
          .catch(() => undefined),
      );
    }
    expect(writer.size).toBe(1000);
    await Promise.all(work);
    // A note that went out before its final state is followed by that state again: wait for those too.
    await waitUntil('every message settled', () => writer.size === 0);
    expect(writer.size).toBe(0);
  });
});
