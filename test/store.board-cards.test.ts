/**
 * BoardCardStore contract, run by every backend: one card per call per channel, found by its
 * message, with its memory beside its state, and writes refused once a newer fence was raised.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { BoardCard, BoardCardStore } from '../src/store/types.js';
import { forEachBackend, type StoreHarness } from './helpers/store-backends.js';
import { cipherA } from './helpers/store-records.js';

forEachBackend('BoardCardStore contract', (backend) => {
  let h: StoreHarness;
  let store: BoardCardStore;
  beforeEach(async () => {
    h = await backend.createHarness();
    store = await h.open(cipherA);
  });
  afterEach(() => h.dispose());

  const card = (o: Partial<BoardCard> = {}): BoardCard => ({
    teamId: 'T1',
    channelId: 'C-sup',
    phoneCallId: 'call-1',
    messageTs: '1718000000.000100',
    extension: '0003*210',
    state: '{"s":"ringing"}',
    ended: false,
    updatedAt: new Date('2024-06-10T10:00:00.001Z'),
    ...o,
  });

  it('upserts board cards per call per channel and lists the live ones', async () => {
    const c1 = card();
    const unposted = card({ phoneCallId: 'call-2', updatedAt: new Date('2024-06-10T09:00:00.000Z') });
    delete unposted.messageTs;
    await store.saveBoardCard(c1);
    await store.saveBoardCard(unposted);
    expect(await store.getBoardCard('T1', 'C-sup', 'call-2')).toStrictEqual(unposted);
    expect(await store.listLiveBoardCards()).toStrictEqual([unposted, c1]);
    const ended = { ...c1, state: '{"s":"ended"}', ended: true, updatedAt: new Date('2024-06-10T10:01:00.000Z') };
    await store.saveBoardCard(ended);
    expect(await store.getBoardCard('T1', 'C-sup', 'call-1')).toStrictEqual(ended);
    expect(await store.listLiveBoardCards()).toStrictEqual([unposted]);
    expect(await store.getBoardCard('T1', 'C-other', 'call-1')).toBeUndefined();
  });

  it("keeps a card's memory (escalation, supervisor legs, an action not read yet) beside its state, across saves of the card", async () => {
    const c1 = card();
    await store.saveBoardCard(c1);
    // An action audited whose change the board has not read yet is remembered too (to the millisecond).
    const memory = {
      alerts: '{"key":"hold@2024","level":1}',
      legHints: '[{"from":"0003*025","mode":"whisper","private":true}]',
      actedAt: new Date('2024-06-10T10:00:20.007Z'),
    };
    expect(await store.saveBoardCardMemory('T1', 'C-sup', 'call-1', memory)).toBe(true);
    expect(await store.getBoardCard('T1', 'C-sup', 'call-1')).toStrictEqual({ ...c1, ...memory });
    const next = { ...c1, state: '{"s":"on hold"}', updatedAt: new Date('2024-06-10T10:00:30.000Z') };
    await store.saveBoardCard(next); // a later state leaves the memory alone
    expect(await store.listLiveBoardCards()).toStrictEqual([{ ...next, ...memory }]);
    expect(await store.saveBoardCardMemory('T1', 'C-sup', 'call-1', { legHints: memory.legHints })).toBe(true);
    expect(await store.getBoardCard('T1', 'C-sup', 'call-1')).toStrictEqual({ ...next, legHints: memory.legHints });
    expect(await store.saveBoardCardMemory('T1', 'C-other', 'call-1', memory)).toBe(false);
    expect(await store.getBoardCard('T1', 'C-other', 'call-1')).toBeUndefined();
  });

  it('finds a board card by its message', async () => {
    const card = { teamId: 'T1', channelId: 'C1', phoneCallId: 'P1', extension: '0003*210', state: '{}', ended: false, updatedAt: new Date(5) };
    await store.saveBoardCard(card);
    expect(await store.findBoardCardAt('T1', 'C1', '1.5')).toBeUndefined();
    await store.saveBoardCard({ ...card, messageTs: '1.5' });
    expect((await store.findBoardCardAt('T1', 'C1', '1.5'))?.phoneCallId).toBe('P1');
    expect(await store.findBoardCardAt('T1', 'C2', '1.5')).toBeUndefined();
  });

  it("refuses a holder's card and memory writes once a newer epoch was raised for its key, and never lowers it", async () => {
    const old = { key: 'board:T1', epoch: 1 };
    const next = { key: 'board:T1', epoch: 2 };
    expect(await store.raiseBoardFence(old)).toBe(1);
    expect(await store.saveBoardCard(card(), old)).toBe(true);
    expect(await store.raiseBoardFence(next)).toBe(2);
    expect(await store.raiseBoardFence(old)).toBe(2); // never lowered
    const late = card({ state: '{"s":"late"}', updatedAt: new Date('2024-06-10T10:00:09.000Z') });
    expect(await store.saveBoardCard(late, old)).toBe(false);
    expect(await store.saveBoardCardMemory('T1', 'C-sup', 'call-1', { alerts: '{"late":true}' }, old)).toBe(false);
    expect(await store.getBoardCard('T1', 'C-sup', 'call-1')).toStrictEqual(card());
    // The new holder, and writes fenced by another key or by none, still write.
    expect(await store.saveBoardCard(late, next)).toBe(true);
    expect(await store.saveBoardCardMemory('T1', 'C-sup', 'call-1', { alerts: '{"now":true}' }, next)).toBe(true);
    expect(await store.saveBoardCard(card({ channelId: 'C-2' }), { key: 'board:T2', epoch: 1 })).toBe(true);
    expect(await store.saveBoardCard(card({ channelId: 'C-3' }))).toBe(true);
    expect(await store.getBoardCard('T1', 'C-sup', 'call-1')).toStrictEqual({ ...late, alerts: '{"now":true}' });
  });
});
