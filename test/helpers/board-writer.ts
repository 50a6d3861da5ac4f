/**
 * A board writer on its own, over a stand-in for Slack's chat API that accepts every post
 * (ts 1.N) and update at once and records each write in order: for tests of the writer's
 * budgets and order of work, where the whole app would only add noise.
 */
import type { WebClient } from '@slack/web-api';
import { Background } from '../../src/background.js';
import type { CallSnapshot } from '../../src/board/snapshot.js';
import { createLogger } from '../../src/log.js';
import type { WriteBudgets } from '../../src/slack/board/budget.js';
import type { WriterHooks } from '../../src/slack/board/board-messages.js';
import { BoardWriter } from '../../src/slack/board/writer.js';

/** A call on extension 0003*210, as the board's reads give it to the writer. */
export function boardSnapshot(id: string, state: CallSnapshot['state'] = 'ringing'): CallSnapshot {
  return { id, extension: '0003*210', caller: 'Customer <5550001>', called: '0003*210', state, agents: ['0003*210'], legs: [] };
}

/** One write the writer made, when it reached the stand-in. */
export interface ChatWrite {
  method: 'post' | 'update';
  channel: string;
  text: string;
  ts: string;
  thread_ts?: string;
  at: number;
}

type ChatArgs = { channel: string; text: string; ts?: string; thread_ts?: string };

/** A BoardWriter with `budgets` (and `hooks` over ones that do nothing) writing to the recording stand-in. */
export function recordedBoardWriter(budgets: Partial<WriteBudgets>, hooks: Partial<WriterHooks> = {}) {
  const writes: ChatWrite[] = [];
  const record = (method: ChatWrite['method'], a: ChatArgs, ts: string) => {
    writes.push({ method, channel: a.channel, text: a.text, ts, ...(a.thread_ts && { thread_ts: a.thread_ts }), at: Date.now() });
    return { ok: true, ts };
  };
  let posted = 0;
  const client = {
    chat: {
      postMessage: async (a: ChatArgs) => record('post', a, `1.${++posted}`),
      update: async (a: ChatArgs) => record('update', a, a.ts ?? ''),
    },
  } as unknown as WebClient;
  const background = new Background(() => undefined);
  const writer = new BoardWriter(
    client,
    { posted: async () => undefined, liveCalls: () => [], mention: async () => undefined, ...hooks },
    background,
    createLogger('error', () => undefined),
    budgets,
  );
  return {
    writer,
    background,
    writes,
    posts: () => writes.filter((w) => w.method === 'post'),
    updates: () => writes.filter((w) => w.method === 'update'),
  };
}
