/**
 * How often the board reads a watched extension: fast while what it read is
 * about to change (a call ringing, on hold, parked, or one that just changed),
 * slower while every live call is quietly talking, slowest when idle. Counted
 * reads over a simulated clock (vitest's fake timers), not wall time.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Poller, type PollTiming } from '../src/board/poller.js';

const TIMING: PollTiming = { liveMs: 1200, idleMs: 30_000, maxBackoffMs: 60_000, hotMs: 500, hotForMs: 10_000 };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A poller whose reads return `items()`, hot when `isHot` says so; counts its reads. */
function counting(items: () => string[], isHot?: (xs: string[]) => boolean) {
  let reads = 0;
  const poller = new Poller<string>(
    {
      read: async () => {
        reads++;
        return items();
      },
      onRead: async () => undefined,
      onError: async () => 'retry',
      ...(isHot && { hot: isHot }),
    },
    TIMING,
    () => Date.now(),
  );
  return { poller, reads: () => reads };
}

describe('adaptive polling of a watched extension', () => {
  it('reads every 0.5 s while hot, every 1.2 s once quiet, every 30 s when idle', async () => {
    let calls = ['held'];
    const p = counting(
      () => calls,
      (xs) => xs.includes('held'),
    );
    p.poller.start();
    await vi.advanceTimersByTimeAsync(10_000);
    // A held call: a read every 0.5 s (the first at once).
    expect(p.reads()).toBe(21);
    calls = ['talking'];
    // The hot rate lasts 10 s after the last hot read, then the quiet live rate.
    await vi.advanceTimersByTimeAsync(10_000);
    const afterHot = p.reads();
    await vi.advanceTimersByTimeAsync(12_000);
    expect(p.reads() - afterHot).toBe(10);
    calls = [];
    await vi.advanceTimersByTimeAsync(1_200);
    const idleFrom = p.reads();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(p.reads() - idleFrom).toBe(2);
    p.poller.stop();
  });

  it('an event right after a poll is read at once; events after it wait the event gap', async () => {
    const timing: PollTiming = { ...TIMING, eventGapMs: 500 };
    let reads = 0;
    const poller = new Poller<string>(
      {
        read: async () => {
          reads++;
          return ['talking'];
        },
        onRead: async () => undefined,
        onError: async () => 'retry',
      },
      timing,
      () => Date.now(),
    );
    poller.start();
    await vi.advanceTimersByTimeAsync(1_300);
    expect(reads).toBe(2); // the first read, then the poll at 1.2 s
    poller.readSoon();
    await vi.advanceTimersByTimeAsync(0);
    expect(reads).toBe(3);
    poller.readSoon();
    poller.readSoon();
    await vi.advanceTimersByTimeAsync(100);
    expect(reads).toBe(3);
    await vi.advanceTimersByTimeAsync(400);
    expect(reads).toBe(4);
    poller.stop();
  });

  it('without a hot hook, live calls are read at the live rate only', async () => {
    const p = counting(() => ['talking']);
    p.poller.start();
    await vi.advanceTimersByTimeAsync(12_000);
    expect(p.reads()).toBe(11);
    p.poller.stop();
  });
});
