/**
 * OpenModalStore contract, run by every backend: an open modal's place is taken once, by
 * whichever replica asks first, until it expires.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { OpenModalStore } from '../src/store/types.js';
import { forEachBackend, type StoreHarness } from './helpers/store-backends.js';
import { cipherA } from './helpers/store-records.js';

forEachBackend('OpenModalStore contract', (backend) => {
  let h: StoreHarness;
  let store: OpenModalStore;
  beforeEach(async () => {
    h = await backend.createHarness();
    store = await h.open(cipherA);
  });
  afterEach(() => h.dispose());

  const at = (ms: number) => new Date(Date.UTC(2030, 0, 1) + ms);

  it("gives an open modal's place once, to whoever asks first, until it expires", async () => {
    await store.saveOpenModal('m1', '{"channelId":"C1"}', at(60_000), at(0));
    await store.saveOpenModal('m2', '{"channelId":"C2"}', at(10), at(0));
    expect(await store.takeOpenModal('m2', at(20))).toBeUndefined();
    const both = await Promise.all([store.takeOpenModal('m1', at(1)), store.takeOpenModal('m1', at(1))]);
    expect(both.filter(Boolean)).toEqual(['{"channelId":"C1"}']);
    expect(await store.takeOpenModal('never', at(1))).toBeUndefined();
  });
});
