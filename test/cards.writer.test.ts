/**
 * The card writer: call cards spend the budgets the board's cards spend (one sender, one
 * update budget per workspace), only the latest state of a message waits to be sent, and a
 * write Slack rate-limited goes again after Retry-After with the then-latest state.
 */
import type { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { Background } from '../src/background.js';
import type { CallSnapshot } from '../src/board/snapshot.js';
import { createLogger } from '../src/log.js';
import { DEFAULT_BUDGETS, type WriteBudgets } from '../src/slack/board/budget.js';
import { BudgetedSender } from '../src/slack/board/budgeted-sender.js';
import { BoardWriter } from '../src/slack/board/writer.js';
import { CardWriter } from '../src/slack/cards/card-writer.js';
import { waitUntil } from './helpers/wait.js';

const logger = createLogger('error', () => undefined);
const snapshot = (id: string): CallSnapshot => ({ id, extension: '0003*210', caller: 'Customer <5550001>', called: '0003*210', state: 'ringing', agents: [], legs: [] });
const card = (text: string) => ({ text, blocks: [] });

/** A Web API that records every update; `limited` answers the next ones 429 with Retry-After. */
function recordingSlack() {
  const updates: Array<{ channel: string; ts: string; text: string }> = [];
  let limited = 0;
  const client = {
    chat: {
      update: async (args: { channel: string; ts: string; text: string }) => {
        updates.push(args);
        if (limited > 0) {
          limited--;
          throw Object.assign(new Error('ratelimited'), { code: 'slack_webapi_rate_limited_error', retryAfter: 0.3 });
        }
        return { ok: true, ts: args.ts };
      },
      postMessage: async () => ({ ok: true, ts: '9.9' }),
    },
  } as unknown as WebClient;
  return { client, updates, limitNext: (n: number) => (limited = n) };
}

function writers(budgets: Partial<WriteBudgets>, now: () => number = Date.now) {
  const slack = recordingSlack();
  const sender = new BudgetedSender({ ...DEFAULT_BUDGETS, ...budgets }, logger, now);
  return { slack, sender, cards: new CardWriter(sender, () => slack.client, logger) };
}

describe('the card writer', () => {
  it("spends the board's update budget: a call card update leaves none for a board card of the same workspace", async () => {
    let clock = 1_000_000;
    const { slack, sender, cards } = writers({ updatesPerMinute: 60, updateBurst: 1 }, () => clock);
    const background = new Background(() => undefined);
    const board = new BoardWriter(slack.client, { posted: async () => undefined, liveCalls: () => [], mention: async () => undefined }, background, logger, {}, () => clock, sender);
    try {
      await cards.update({ teamId: 'T1', channelId: 'C1', ts: '1.1', draw: async () => card('call card'), next: true });
      board.card({ teamId: 'T1', channelId: 'C2', phoneCallId: 'P1' }, snapshot('P1'), '2.2');
      // The board's pump picked at once (a few turns of the event loop let a write it started reach the client):
      // the workspace's one update was the call card's (the stats are the one sender's).
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(board.stats.requests).toBe(1);
      expect(slack.updates.map((u) => u.channel)).toEqual(['C1']);
      expect(board.backlog).toBe(1);
      clock += 1000;
      await waitUntil('the board card once the budget refilled', () => slack.updates.some((u) => u.channel === 'C2'), { timeoutMs: 5000 });
      expect(slack.updates.map((u) => u.channel)).toEqual(['C1', 'C2']);
    } finally {
      board.close();
    }
  });

  it('sends only the latest of the states that waited for the budget, and answers everyone who waited', async () => {
    const { slack, cards } = writers({ updatesPerMinute: 600, updateBurst: 1 });
    const place = { teamId: 'T1', channelId: 'C1', ts: '1.1' };
    const first = cards.update({ ...place, draw: async () => card('one'), next: true });
    const waited = ['two', 'three', 'four'].map((t) => cards.update({ ...place, draw: async () => card(t), next: true }));
    await Promise.all([first, ...waited]);
    expect(slack.updates.map((u) => u.text)).toEqual(['one', 'four']);
    expect(cards.size).toBe(0);
  });

  it('a note asked for while a final state waits is dropped: the final state is the last write', async () => {
    const { slack, cards } = writers({ updatesPerMinute: 600, updateBurst: 1 });
    const place = { teamId: 'T1', channelId: 'C1', ts: '1.1' };
    const first = cards.update({ ...place, draw: async () => card('one'), next: true });
    const result = cards.update({ ...place, draw: async () => card('result'), next: true });
    const note = cards.update({ ...place, draw: async () => card('working…'), next: false, transient: true });
    await Promise.all([first, result, note]);
    expect(slack.updates.map((u) => u.text)).toEqual(['one', 'result']);
  });

  it('after a 429 waits for Retry-After, then sends the state that is latest by then', async () => {
    const { slack, sender, cards } = writers({ updatesPerMinute: 6000, updateBurst: 10 });
    slack.limitNext(1);
    const place = { teamId: 'T1', channelId: 'C1', ts: '1.1' };
    const limited = cards.update({ ...place, draw: async () => card('one'), next: true });
    await waitUntil('the 429', () => sender.stats.rateLimited === 1);
    expect(sender.updateBucket('T1').waitMs()).toBeGreaterThan(0);
    const newer = cards.update({ ...place, draw: async () => card('two'), next: true });
    await Promise.all([limited, newer]);
    expect(slack.updates.map((u) => u.text)).toEqual(['one', 'two']);
    expect(sender.stats.updates).toBe(1);
  });
});
