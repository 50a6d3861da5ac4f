/** The test helper that replaces sleeps: wait for a condition, fail clearly when it never holds. */
import { describe, expect, it } from 'vitest';
import { waitUntil } from './helpers/wait.js';

describe('waitUntil', () => {
  it('returns the first truthy value of the probe, sync or async', async () => {
    let n = 0;
    expect(await waitUntil('three polls', () => (++n >= 3 ? { n } : undefined))).toEqual({ n: 3 });
    expect(await waitUntil('an async probe', async () => 'ready')).toBe('ready');
  });

  it('fails after its deadline, naming what it waited for and the last value', async () => {
    await expect(waitUntil('the impossible', () => 0, { timeoutMs: 30 })).rejects.toThrow('timed out after 30 ms waiting for the impossible; last value: 0');
  });

  it('passes on an error thrown by the probe', async () => {
    await expect(
      waitUntil('anything', () => {
        throw new Error('probe broke');
      }),
    ).rejects.toThrow('probe broke');
  });
});

describe('waitUntil options', () => {
  it('takes the deadline as a number of milliseconds too', async () => {
    await expect(waitUntil('the impossible', () => false, 40)).rejects.toThrow('timed out after 40 ms');
  });
});
