/**
 * What the Slack test files do before each test on a shared stack: a clean
 * sandbox (its world reset, injected faults cleared unless told otherwise, its
 * recorded requests forgotten), no recorded Slack calls or canned answers, and
 * the ts of every message the app posts from now on collected in `posted`, so
 * that no test depends on another's leftovers.
 */
import type { Stack } from './stack.js';

export interface ResetOptions {
  /** default true */
  clearFaults?: boolean;
}

export function resetStack(s: Stack, posted: string[], opts: ResetOptions = {}): void {
  s.sandbox.reset();
  if (opts.clearFaults !== false) s.sandbox.setFaults({});
  s.sandbox.requests.length = 0;
  s.api.clearCalls();
  s.api.resetResponses();
  posted.length = 0;
  s.api.respondWith('chat.postMessage', (_call, defaults) => {
    const answer = defaults();
    posted.push(String(answer.ts));
    return answer;
  });
}
