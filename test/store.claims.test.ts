/**
 * ClaimStore contract, run by every backend: a key is claimed once until it expires or is given
 * back, by exactly one of concurrent claimers, across a restart.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ClaimStore, RetentionStore, Store } from '../src/store/types.js';
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
    expect(await store.claimChain([{ key: 'n:1', expiresAt: at(60_000) }], at(0), undefined, note('note|a'))).toEqual([true]);
    expect(await store.claimChain([{ key: 'n:1', expiresAt: at(60_000) }], at(0), undefined, note('note|b'))).toEqual([false]);
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

  it('records an action hold with a chain only when every claim was taken, and answers it by call until it expires', async () => {
    const hold = (actionId: string, phoneCallId = 'call-1') => ({ phoneCallId, actionId, until: at(10_000) });
    const chain = (keys: Array<string | undefined>, h: ReturnType<typeof hold>) =>
      store.claimChain(
        keys.map((key) => ({ key, expiresAt: at(60_000) })),
        at(0),
        h,
      );
    expect(await chain(['h:1', 'h:card', 'h:run'], hold('a1'))).toEqual([true, true, true]);
    // A chain stopped by a held claim records nothing, wherever it stops.
    expect(await chain(['h:2', 'h:card', 'h:run2'], hold('a2'))).toEqual([true, false, false]);
    expect(await chain(['h:3', 'h:card2', 'h:run'], hold('a3'))).toEqual([true, true, false]);
    expect(await chain(['h:1', 'h:card3', 'h:run3'], hold('a4'))).toEqual([false, false, false]);
    // Undefined keys pass, so such a chain records its hold; a chain of one too.
    expect(await chain([undefined, 'h:5', undefined], hold('a5', 'call-2'))).toEqual([true, true, true]);
    expect(await chain(['h:6'], hold('a6', 'call-3'))).toEqual([true]);

    const holds = async (ids: string[], now: number) =>
      (await store.listActionHolds(ids, at(now))).map((x) => `${x.phoneCallId}:${x.actionId}:${x.until.getTime() - at(0).getTime()}`).sort();
    expect(await holds(['call-1'], 1_000)).toEqual(['call-1:a1:10000']);
    expect(await holds(['call-1', 'call-2', 'call-3', 'call-4'], 1_000)).toEqual(['call-1:a1:10000', 'call-2:a5:10000', 'call-3:a6:10000']);
    expect(await holds(['call-4'], 1_000)).toEqual([]);
    expect(await holds([], 1_000)).toEqual([]);
    // Running until its time: at it and after, none.
    expect(await holds(['call-1'], 9_999)).toEqual(['call-1:a1:10000']);
    expect(await holds(['call-1', 'call-2'], 10_000)).toEqual([]);
    // Releasing the claims does not end the hold: the board pairs it with the action's end.
    await store.releaseClaim('h:run');
    expect(await holds(['call-1'], 2_000)).toEqual(['call-1:a1:10000']);
  });

  it('purges expired action holds with the retention sweep', async () => {
    const s = store as ClaimStore & RetentionStore;
    await s.claimChain([{ key: 'p:1', expiresAt: at(60_000) }], at(0), { phoneCallId: 'call-p', actionId: 'p1', until: at(10_000) });
    await s.claimChain([{ key: 'p:2', expiresAt: at(60_000) }], at(0), { phoneCallId: 'call-p', actionId: 'p2', until: at(30_000) });
    await s.purgeExpired(at(-86_400_000), at(20_000));
    expect((await h.rawRows('action_holds')).map((r) => r.action_id)).toEqual(['p2']);
    expect((await s.listActionHolds(['call-p'], at(20_000))).map((x) => x.actionId)).toEqual(['p2']);
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
