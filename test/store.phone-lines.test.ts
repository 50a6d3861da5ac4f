/**
 * PhoneLineStore and SlackCallStore contracts, run by every backend: linked users' lines with
 * their missed-call DM switch (kept across a re-link), and a Slack Call ended once.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../src/store/types.js';
import { forEachBackend, type StoreHarness } from './helpers/store-backends.js';
import { account, cipherA } from './helpers/store-records.js';

forEachBackend('PhoneLineStore and SlackCallStore contract', (backend) => {
  let h: StoreHarness;
  let store: Store;
  beforeEach(async () => {
    h = await backend.createHarness();
    store = await h.open(cipherA);
  });
  afterEach(() => h.dispose());

  it('lists linked users with an extension and keeps the DM switch across a re-link', async () => {
    await store.saveLinkedAccount(account());
    await store.saveLinkedAccount({ ...account(), slackUserId: 'U0', extension: undefined });
    expect(await store.listLinkedLines()).toEqual([{ teamId: 'T1', slackUserId: 'U1', extension: account().extension, missedCallDms: true }]);
    expect(await store.setMissedCallDms('T1', 'U1', false)).toBe(true);
    expect(await store.setMissedCallDms('T1', 'NOBODY', false)).toBe(false);
    expect((await store.getLinkedAccount('T1', 'U1'))?.missedCallDms).toBe(false);
    await store.saveLinkedAccount(account());
    expect((await store.listLinkedLines())[0]?.missedCallDms).toBe(false);
    await store.setMissedCallDms('T1', 'U1', true);
    expect((await store.getLinkedAccount('T1', 'U1'))?.missedCallDms).toBeUndefined();
  });

  it('ends a Slack Call once, whichever replica asks first', async () => {
    const call = { teamId: 'T1', phoneCallId: 'P1', slackCallId: 'R1', slackUserId: 'U1', extension: '0003*210', createdAt: new Date(1_700_000_000_123) };
    await store.saveSlackCall(call);
    expect(await store.listSlackCalls()).toStrictEqual([call]);
    const both = await Promise.all([store.takeSlackCall('T1', 'P1'), store.takeSlackCall('T1', 'P1')]);
    expect(both.filter(Boolean)).toStrictEqual([call]);
    expect(await store.listSlackCalls()).toEqual([]);
  });
});
