/**
 * RetentionStore contract, run by every backend: one sweep deletes ended board cards (with their
 * audit lines and outbox intents) and call cards last updated before the cut-off, and claims, OAuth states and open
 * modals expired by now; live cards, newer rows and unexpired ones stay. (24 hours of generated
 * traffic through the board's ledger: test/store.retention.test.ts.)
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { NewIntent } from '../src/store/outbox.js';
import type { BoardCard, RetentionStore, Store } from '../src/store/types.js';
import { forEachBackend, type StoreHarness } from './helpers/store-backends.js';
import { cipherA } from './helpers/store-records.js';

const T0 = Date.UTC(2030, 0, 1);
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

forEachBackend('RetentionStore contract', (backend) => {
  let h: StoreHarness;
  let store: Store;
  beforeEach(async () => {
    h = await backend.createHarness();
    store = await h.open(cipherA);
  });
  afterEach(() => h.dispose());

  const card = (phoneCallId: string, ended: boolean, updatedAt: Date): BoardCard => ({ teamId: 'T1', channelId: 'C1', phoneCallId, extension: '0003*210', state: '{}', ended, updatedAt });
  const line = (phoneCallId: string, seq: number, when: Date) => store.appendAuditEntry({ teamId: 'T1', channelId: 'C1', phoneCallId, seq, at: when, text: `line ${seq}` });

  it('deletes what is old or expired, counted per table, and keeps live cards and newer rows', async () => {
    // Cut-off at minute 100, now at minute 200.
    await store.saveBoardCard(card('old-ended', true, at(10)));
    await line('old-ended', 1, at(5));
    await line('old-ended', 2, at(9));
    await store.saveBoardCard(card('old-live', false, at(10)));
    await line('old-live', 1, at(5));
    await store.saveBoardCard(card('new-ended', true, at(150)));
    await line('new-ended', 1, at(20));
    await line('no-card', 1, at(20));
    await store.saveCallCard({ teamId: 'T1', channelId: 'C2', messageTs: '1.1', phoneCallId: 'old-ended', extension: '0003*210', updatedAt: at(50) });
    await store.saveCallCard({ teamId: 'T1', channelId: 'C2', messageTs: '2.2', phoneCallId: 'new-ended', extension: '0003*210', updatedAt: at(150) });
    await store.claimOnce('expired', at(199), at(0));
    await store.claimOnce('kept', at(201), at(0));
    await store.saveOpenModal('expired', '{}', at(200), at(0));
    await store.saveOpenModal('kept', '{}', at(260), at(0));
    // Creating a state purges those expired by the wall clock, which is long before T0.
    await store.createOAuthState({ state: 'kept', teamId: 'T1', slackUserId: 'U1', expiresAt: at(201) });

    // The outbox: what a live card still owes stays, however old; an old ended card's rows go,
    // delivered or not, and so do those of a card already gone and an old press note; a recently
    // ended card's rows and a running press's note stay.
    const intent = (phoneCallId: string, key: string, kind: NewIntent['kind'], createdAt: Date): NewIntent => ({
      teamId: 'T1',
      channelId: 'C1',
      phoneCallId,
      key,
      kind,
      seq: 0,
      payload: '{}',
      createdAt,
    });
    await store.outbox.commitBoardChange({
      intents: [
        intent('old-ended', 'card|old-ended', 'card', at(5)),
        intent('old-ended', 'line|old-ended|1', 'line', at(5)),
        intent('old-live', 'card|old-live', 'card', at(5)),
        intent('old-live', 'line|old-live|1', 'line', at(5)),
        intent('new-ended', 'card|new-ended', 'card', at(20)),
        intent('no-card', 'line|no-card|1', 'line', at(20)),
        intent('pressed-old', 'note|C1|1.1|a', 'note', at(20)),
        intent('pressed-now', 'note|C1|2.2|b', 'note', at(150)),
      ],
    });
    // Delivered card intents stay while their card lives (they carry its message): the live card's,
    // and that of a card delivered while it lived that ended later, long ago.
    await store.outbox.commitBoardChange({ card: card('late-ended', false, at(6)), intents: [intent('late-ended', 'card|late-ended', 'card', at(6))] });
    expect(await store.outbox.recordDelivery({ key: 'card|late-ended', version: 1, messageTs: '9.1', at: at(7) })).toBe(true);
    await store.saveBoardCard(card('late-ended', true, at(10)));
    expect(await store.outbox.recordDelivery({ key: 'card|old-live', version: 1, messageTs: '9.2', at: at(7) })).toBe(true);
    expect((await store.outbox.getIntent('card|late-ended'))?.deliveredAt).toBeDefined();

    const retention: RetentionStore = store;
    const counts = await retention.purgeExpired(at(100), at(200));
    expect(counts).toStrictEqual({ boardCards: 2, auditEntries: 3, outboxIntents: 5, callCards: 1, cardVersions: 0, claims: 1, oauthStates: 0, openModals: 1 });

    expect((await store.listLiveBoardCards()).map((c) => c.phoneCallId)).toEqual(['old-live']);
    expect(await store.getBoardCard('T1', 'C1', 'old-ended')).toBeUndefined();
    expect(await store.getBoardCard('T1', 'C1', 'new-ended')).toBeDefined();
    expect(await store.listAuditEntries('T1', 'C1', 'old-ended')).toEqual([]);
    expect(await store.listAuditEntries('T1', 'C1', 'old-live')).toHaveLength(1);
    expect(await store.listAuditEntries('T1', 'C1', 'new-ended')).toHaveLength(1);
    expect(await store.listAuditEntries('T1', 'C1', 'no-card')).toEqual([]);
    expect((await store.outbox.pendingIntents()).map((i) => i.key).sort()).toEqual(['card|new-ended', 'line|old-live|1', 'note|C1|2.2|b']);
    expect((await store.outbox.getIntent('card|old-live'))?.messageTs).toBe('9.2');
    expect(await store.outbox.getIntent('card|late-ended')).toBeUndefined();
    expect(await store.findCallCards('old-ended')).toEqual([]);
    expect(await store.findCallCards('new-ended')).toHaveLength(1);
    expect(await store.claimOnce('expired', at(300), at(200))).toBe(true);
    expect(await store.claimOnce('kept', at(300), at(200))).toBe(false);
    expect(await store.takeOpenModal('kept', at(200))).toBe('{}');
    expect((await store.consumeOAuthState('kept'))?.teamId).toBe('T1');
    // Nothing left to purge: a second sweep deletes nothing.
    const again = await retention.purgeExpired(at(100), at(200));
    expect(Object.values(again).every((n) => n === 0)).toBe(true);
  });

  it('purges OAuth states expired by now', async () => {
    const soon = new Date(Date.now() + 60_000);
    await store.createOAuthState({ state: 'st', teamId: 'T1', slackUserId: 'U1', expiresAt: soon });
    expect((await store.purgeExpired(new Date(0), new Date(soon.getTime() - 1))).oauthStates).toBe(0);
    expect((await store.purgeExpired(new Date(0), soon)).oauthStates).toBe(1);
    expect(await store.consumeOAuthState('st', new Date(soon.getTime() - 1))).toBeUndefined();
  });
});
