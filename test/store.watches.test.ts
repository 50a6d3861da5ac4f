/**
 * WatchStore contract, run by every backend: a channel watches an extension once, found by
 * extension, channel or secret, with its event registrations and pause.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Watch, WatchStore } from '../src/store/types.js';
import { forEachBackend, type StoreHarness } from './helpers/store-backends.js';
import { cipherA } from './helpers/store-records.js';

forEachBackend('WatchStore contract', (backend) => {
  let h: StoreHarness;
  let store: WatchStore;
  beforeEach(async () => {
    h = await backend.createHarness();
    store = await h.open(cipherA);
  });
  afterEach(() => h.dispose());

  const watch = (o: Partial<Watch> = {}): Watch => ({
    teamId: 'T1',
    channelId: 'C-sup',
    extension: '0003*210',
    createdBy: 'U-boss',
    createdAt: new Date('2024-01-01T00:00:00.007Z'),
    ...o,
  });

  it('adds once: a duplicate returns false and keeps the original', async () => {
    const w = watch();
    expect(await store.addWatch(w)).toBe(true);
    expect(await store.addWatch(watch({ createdBy: 'U-other', createdAt: new Date(0) }))).toBe(false);
    expect(await store.listWatchesForChannel('T1', 'C-sup')).toStrictEqual([w]);
  });

  it('lists by extension across teams/channels and by channel, ordered by creation', async () => {
    const w1 = watch();
    const w2 = watch({ channelId: 'C-other', createdAt: new Date('2023-12-31T23:59:59.999Z') });
    const w3 = watch({ teamId: 'T2', createdAt: new Date('2024-01-01T00:00:00.008Z') });
    const w4 = watch({ extension: '0003*211', createdAt: new Date('2024-01-01T00:00:00.000Z') });
    for (const w of [w1, w2, w3, w4]) expect(await store.addWatch(w)).toBe(true);
    expect(await store.listWatchesForExtension('0003*210')).toStrictEqual([w2, w1, w3]);
    expect(await store.listWatchesForExtension('0003*211')).toStrictEqual([w4]);
    expect(await store.listWatchesForExtension('0003*999')).toStrictEqual([]);
    expect(await store.listWatchesForChannel('T1', 'C-sup')).toStrictEqual([w4, w1]);
    expect(await store.listWatchesForChannel('T2', 'C-other')).toStrictEqual([]);
  });

  it('removes, reporting whether something was removed', async () => {
    await store.addWatch(watch());
    await store.addWatch(watch({ extension: '0003*211' }));
    expect(await store.removeWatch('T1', 'C-sup', '0003*210')).toBe(true);
    expect(await store.removeWatch('T1', 'C-sup', '0003*210')).toBe(false);
    expect((await store.listWatchesForChannel('T1', 'C-sup')).map((w) => w.extension)).toEqual(['0003*211']);
    expect(await store.addWatch(watch())).toBe(true); // can be re-added
  });

  it('stores a watch secret, its registered events and a pause, found by secret', async () => {
    const w = watch({ secret: 's3cr3t', eventIds: ['0:abc', '2:def'] });
    expect(await store.addWatch(w)).toBe(true);
    expect(await store.findWatchBySecret('s3cr3t')).toStrictEqual(w);
    expect(await store.findWatchBySecret('other')).toBeUndefined();
    const paused = { ...w, pausedAt: new Date('2024-02-02T00:00:00.123Z') };
    expect(await store.updateWatch(paused)).toBe(true);
    expect(await store.listWatchesForChannel('T1', 'C-sup')).toStrictEqual([paused]);
    expect(await store.updateWatch(watch({ extension: 'none' }))).toBe(false);
    const resumed = { ...w };
    await store.updateWatch(resumed);
    expect(await store.listWatches()).toStrictEqual([resumed]);
  });

  it('lists every watch in creation order', async () => {
    const a = watch({ createdAt: new Date(2) });
    const b = watch({ teamId: 'T2', createdAt: new Date(1) });
    await store.addWatch(a);
    await store.addWatch(b);
    expect(await store.listWatches()).toStrictEqual([b, a]);
  });

  it('counts the distinct extensions watched by some channel', async () => {
    expect(await store.countWatchedExtensions()).toBe(0);
    await store.addWatch(watch({ channelId: 'C1', createdAt: new Date(1) }));
    await store.addWatch(watch({ channelId: 'C2', createdAt: new Date(2) }));
    await store.addWatch(watch({ channelId: 'C2', extension: '0003*211', createdAt: new Date(3) }));
    expect(await store.countWatchedExtensions()).toBe(2);
  });
});
