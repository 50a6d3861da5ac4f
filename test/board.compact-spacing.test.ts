/**
 * A compact summary is written at most once a second: a change that comes within that second
 * goes out when it is over, even when nothing else happens on the board meanwhile.
 */
import { describe, expect, it } from 'vitest';
import type { CallSnapshot } from '../src/board/snapshot.js';
import { boardSnapshot as snapshot, recordedBoardWriter } from './helpers/board-writer.js';
import { waitUntil } from './helpers/wait.js';

describe('board compact summary spacing', () => {
  it('a change held back by the one-a-second spacing is written when the second is over', async () => {
    const snapshots = new Map<string, CallSnapshot>();
    // One pending card makes the channel compact; it stays so for a minute (a long idle look).
    const { writer, writes } = recordedBoardWriter({ compactBacklog: 1, compactMinMs: 60_000 }, { liveCalls: () => [...snapshots.values()] });
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
