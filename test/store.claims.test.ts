/**
 * ClaimStore contract, run by every backend: a key is claimed once until it expires or is given
 * back, by exactly one of concurrent claimers, across a restart.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ClaimStore, Store } from '../src/store/types.js';
import { forEachBackend, type StoreHarness } from './helpers/store-backends.js';
import { cipherA } from './helpers/store-records.js';

forEachBackend('ClaimStore contract', (backend) => {
  let h: StoreHarness;
  let store: ClaimStore;
  beforeEach(async () => {
    h = await backend.createHarness();
    store = await h.open(cipherA);
  });
  afterEach(() => h.dispose());

  const at = (ms: number) => new Date(Date.UTC(2030, 0, 1) + ms);

  it('grants a key once until it expires, then again', async () => {
    expect(await store.claimOnce('press:1', at(60_000), at(0))).toBe(true);
    expect(await store.claimOnce('press:1', at(60_000), at(1_000))).toBe(false);
    expect(await store.claimOnce('press:2', at(60_000), at(1_000))).toBe(true);
    expect(await store.claimOnce('press:1', at(120_000), at(60_000))).toBe(true);
  });

  it('can be given back and claimed again', async () => {
    expect(await store.claimOnce('press:r', at(60_000), at(0))).toBe(true);
    await store.releaseClaim('press:r');
    expect(await store.claimOnce('press:r', at(60_000), at(1))).toBe(true);
    expect(await store.claimOnce('press:r', at(60_000), at(2))).toBe(false);
    await store.releaseClaim('never-claimed');
  });

  it('claims a chain in order: each key only once those before it are held', async () => {
    const chain = (...keys: Array<string | undefined>) =>
      store.claimChain(
        keys.map((key) => ({ key, expiresAt: at(60_000) })),
        at(0),
      );
    expect(await chain('c:1', 'c:2', 'c:3')).toEqual([true, true, true]);
    // The first is held: nothing after it is tried.
    expect(await chain('c:1', 'c:4', 'c:5')).toEqual([false, false, false]);
    expect(await store.claimOnce('c:4', at(60_000), at(0))).toBe(true);
    // The second is held: the third is not taken.
    expect(await chain('c:6', 'c:2', 'c:7')).toEqual([true, false, false]);
    expect(await store.claimOnce('c:6', at(60_000), at(0))).toBe(false);
    expect(await store.claimOnce('c:7', at(60_000), at(0))).toBe(true);
    // An undefined key always passes; a chain of one or two works the same.
    expect(await chain(undefined, 'c:8')).toEqual([true, true]);
    expect(await chain('c:8')).toEqual([false]);
    // Expired claims are taken over by a chain too.
    expect(await store.claimChain([{ key: 'c:1', expiresAt: at(120_000) }], at(60_000))).toEqual([true]);
  });

  it("stores a press's note with a chain, whatever the claims answer", async () => {
    const outbox = (store as Store).outbox;
    const note = (key: string) => ({ key, teamId: 'T1', channelId: 'C1', phoneCallId: 'call-1', kind: 'note' as const, seq: 0, payload: '{"ts":"1.2"}', createdAt: at(5) });
    expect(await store.claimChain([{ key: 'n:1', expiresAt: at(60_000) }], at(0), note('note|a'))).toEqual([true]);
    expect(await store.claimChain([{ key: 'n:1', expiresAt: at(60_000) }], at(0), note('note|b'))).toEqual([false]);
    const notes = (await outbox.pendingIntents()).filter((i) => i.kind === 'note');
    expect(notes.map((i) => i.key)).toEqual(['note|a', 'note|b']);
    expect(notes[0]).toMatchObject({ teamId: 'T1', channelId: 'C1', phoneCallId: 'call-1', payload: '{"ts":"1.2"}', createdAt: at(5), version: 1 });
  });

  it('gives a chain to exactly one of many concurrent claimers', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.claimChain(
          [
            { key: `id:${i}`, expiresAt: at(60_000) },
            { key: 'card:x', expiresAt: at(60_000) },
            { key: 'inflight:x', expiresAt: at(60_000) },
          ],
          at(0),
        ),
      ),
    );
    expect(results.filter((r) => r.every(Boolean))).toHaveLength(1);
    expect(results.filter((r) => r[0] && !r[1] && !r[2])).toHaveLength(9);
  });

  it('gives a key to exactly one of many concurrent claimers', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => store.claimOnce('press:x', at(60_000), at(0))));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('survives close and reopen, and purges expired claims', async () => {
    const before = await h.open(cipherA);
    await before.claimOnce('old', at(10), at(0));
    await before.claimOnce('kept', at(60_000), at(0));
    await before.close();
    const again = await h.open(cipherA);
    expect(await again.claimOnce('kept', at(60_000), at(20))).toBe(false);
    const keys = (await h.rawRows('request_claims')).map((r) => r.claim_key);
    expect(keys).toEqual(['kept']);
    await again.close();
  });
});
