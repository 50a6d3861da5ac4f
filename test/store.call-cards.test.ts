/**
 * CallCardStore contract, run by every backend: the messages showing a call, found by the call.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { CallCard, CallCardStore } from '../src/store/types.js';
import { forEachBackend, type StoreHarness } from './helpers/store-backends.js';
import { cipherA } from './helpers/store-records.js';

forEachBackend('CallCardStore contract', (backend) => {
  let h: StoreHarness;
  let store: CallCardStore;
  beforeEach(async () => {
    h = await backend.createHarness();
    store = await h.open(cipherA);
  });
  afterEach(() => h.dispose());

  const card = (o: Partial<CallCard> = {}): CallCard => ({
    teamId: 'T1',
    channelId: 'C1',
    messageTs: '1718000000.000100',
    phoneCallId: 'call-1',
    extension: '0003*210',
    postedBy: 'U1',
    updatedAt: new Date('2024-06-10T10:00:00.001Z'),
    ...o,
  });

  it('round-trips and finds all cards of a call, ordered by updatedAt', async () => {
    const c1 = card();
    const c2 = card({ channelId: 'C2', messageTs: '1718000001.000200', updatedAt: new Date('2024-06-10T09:59:59.999Z') });
    const c3 = card({ teamId: 'T2', channelId: 'C9', postedBy: undefined, updatedAt: new Date('2024-06-10T10:00:00.002Z') });
    delete c3.postedBy;
    const unrelated = card({ channelId: 'C3', phoneCallId: 'call-2' });
    for (const c of [c1, c2, c3, unrelated]) await store.saveCallCard(c);
    expect(await store.findCallCards('call-1')).toStrictEqual([c2, c1, c3]);
    expect(await store.findCallCards('call-2')).toStrictEqual([unrelated]);
    expect(await store.findCallCards('call-none')).toStrictEqual([]);
  });

  it('upserts on (teamId, channelId, messageTs)', async () => {
    await store.saveCallCard(card());
    const moved = card({ phoneCallId: 'call-2', extension: '0003*211', updatedAt: new Date('2024-06-10T10:05:00.123Z') });
    await store.saveCallCard(moved);
    expect(await store.findCallCards('call-1')).toStrictEqual([]);
    expect(await store.findCallCards('call-2')).toStrictEqual([moved]);
    expect(await h.rawRows('call_cards')).toHaveLength(1);
  });

  it('deletes one card by its message key', async () => {
    await store.saveCallCard(card());
    await store.saveCallCard(card({ messageTs: '1718000002.000300' }));
    await store.deleteCallCard('T1', 'C1', '1718000000.000100');
    await store.deleteCallCard('T1', 'C1', 'no-such-ts'); // no error
    const left = await store.findCallCards('call-1');
    expect(left.map((c) => c.messageTs)).toEqual(['1718000002.000300']);
  });
});
