/**
 * A compact summary is written at most once a second: a change that comes within that second
 * goes out when it is over, even when nothing else happens on the board meanwhile.
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

describe('board compact summary spacing', () => {
  it('a change held back by the one-a-second spacing is written when the second is over', async () => {
    const writes: Array<{ method: string; at: number }> = [];
    const client = {
      chat: {
        update: async () => {
          writes.push({ method: 'update', at: Date.now() });
          return { ok: true, ts: '1.1' };
        },
        postMessage: async () => {
          writes.push({ method: 'post', at: Date.now() });
          return { ok: true, ts: '1.1' };
        },
      },
    } as unknown as WebClient;
    const background = new Background(() => undefined);
    const snapshots = new Map<string, CallSnapshot>();
    const writer = new BoardWriter(
      client,
      { posted: async () => undefined, liveCalls: () => [...snapshots.values()], mention: async () => undefined },
      background,
      createLogger('error', () => undefined),
      // One pending card makes the channel compact; it stays so for a minute (a long idle look).
      { compactBacklog: 1, compactMinMs: 60_000 },
    );
    try {
      const ref = { teamId: 'T1', channelId: 'C1', phoneCallId: 'P1' };
      snapshots.set('P1', snapshot('P1', 'ringing'));
      writer.card(ref, snapshots.get('P1')!, undefined);
      await waitUntil('the summary posted', () => writes.some((w) => w.method === 'post'));
      // Within the summary's second: held back, and nothing else comes to wake the writer.
      snapshots.set('P1', snapshot('P1', 'on call'));
      writer.card(ref, snapshots.get('P1')!, undefined);
      await waitUntil('the summary updated', () => writes.some((w) => w.method === 'update'), { timeoutMs: 4000 });
      const posted = writes.find((w) => w.method === 'post')!.at;
      expect(writes.find((w) => w.method === 'update')!.at - posted).toBeGreaterThanOrEqual(990);
    } finally {
      writer.close();
    }
  });
});
