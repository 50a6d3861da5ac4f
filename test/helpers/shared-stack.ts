/**
 * One stack for the tests of a describe block: started once, reset (resetStack) and set up again
 * before each test, closed at the end. It answers as the started stack does, so a test file reads
 * `s.link(...)`, `s.api`, `s.sandbox` as with a stack of its own.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startStack, type Stack, type StackOptions } from './stack.js';
import { resetStack } from './stack-reset.js';

/** The phone tests' reads of linked users' lines: fast, so a call that rings out is seen at once. */
export const PHONE_LINES: StackOptions = {
  pickupDelayMs: 30,
  phoneLines: true,
  board: { timing: { liveMs: 40, idleMs: 80, maxBackoffMs: 400, lingerMs: 0, eventGapMs: 0 } },
};

export function sharedStack(opts: StackOptions, setup: (s: Stack) => Promise<void> = async () => undefined): Stack {
  let started: Stack | undefined;
  const posted: string[] = [];
  beforeAll(async () => {
    started = await startStack(opts);
  });
  afterAll(() => started?.close());
  beforeEach(async () => {
    resetStack(started!, posted);
    await setup(started!);
  });
  return new Proxy({} as Stack, {
    get(_, key) {
      if (!started) throw new Error('the shared stack is used before it started (outside a test or hook)');
      return Reflect.get(started, key);
    },
  });
}
