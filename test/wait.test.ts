/** The test helper that replaces sleeps: wait for a condition, fail clearly when it never holds. */
import { describe, expect, it } from 'vitest';
import { waitUntil } from './helpers/wait.js';

describe('waitUntil', () => {
  it('returns the first truthy value of the probe, sync or async', async () => {
    let n = 0;
    expect(await waitUntil(() => (++n >= 3 ? { n } : undefined), 'three polls')).toEqual({ n: 3 });
    expect(await waitUntil(async () => 'ready', 'an async probe')).toBe('ready');
  });

  it('fails after its deadline, naming what it waited for and the last value', async () => {
    await expect(waitUntil(() => 0, 'the impossible', { timeoutMs: 30 })).rejects.toThrow('timed out waiting for the impossible; last value: 0');
  });

  it('passes on an error thrown by the probe', async () => {
    await expect(
      waitUntil(() => {
        throw new Error('probe broke');
      }, 'anything'),
    ).rejects.toThrow('probe broke');
  });
});
