/**
 * CardVersionStore contract, run by every backend: each message showing a call counts the
 * states it has shown, atomically, and the counts go with retention.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { CardVersionStore, RetentionStore } from '../src/store/types.js';
import { forEachBackend, type StoreHarness } from './helpers/store-backends.js';
import { cipherA } from './helpers/store-records.js';

forEachBackend('CardVersionStore contract', (backend) => {
  let h: StoreHarness;
  let store: CardVersionStore & RetentionStore;
  beforeEach(async () => {
    h = await backend.createHarness();
    store = await h.open(cipherA);
  });
  afterEach(() => h.dispose());

  const card = { channelId: 'C1', messageTs: '1.5' };

  it('counts the states a card has shown, from 1, and keeps what it showed last', async () => {
    expect(await store.getCardVersion(card)).toBeUndefined();
    expect(await store.nextCardVersion(card, 'on call')).toBe(1);
    expect(await store.nextCardVersion(card, 'on hold')).toBe(2);
    expect(await store.getCardVersion(card)).toEqual({ version: 2, shows: 'on hold' });
    // Another message of the same channel counts on its own.
    expect(await store.nextCardVersion({ ...card, messageTs: '1.6' }, 'ringing')).toBe(1);
  });

  it('gives every one of many concurrent draws its own version', async () => {
    const versions = await Promise.all(Array.from({ length: 20 }, (_, i) => store.nextCardVersion(card, `state ${i}`)));
    expect([...versions].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await store.getCardVersion(card))?.version).toBe(20);
  });

  it('are purged with the call cards they belong to', async () => {
    await store.nextCardVersion(card, 'on call', new Date(Date.UTC(2030, 0, 1)));
    const counts = await store.purgeExpired(new Date(Date.UTC(2030, 0, 2)), new Date(Date.UTC(2030, 0, 2)));
    expect(counts.cardVersions).toBe(1);
    expect(await store.getCardVersion(card)).toBeUndefined();
  });
});
