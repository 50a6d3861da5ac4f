/**
 * AuditStore contract, run by every backend: each board card's thread lines in order, fenced
 * like the card.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { AuditEntry, AuditStore, BoardCardStore } from '../src/store/types.js';
import { forEachBackend, type StoreHarness } from './helpers/store-backends.js';
import { cipherA } from './helpers/store-records.js';

forEachBackend('AuditStore contract', (backend) => {
  let h: StoreHarness;
  let store: AuditStore;
  beforeEach(async () => {
    h = await backend.createHarness();
    store = await h.open(cipherA);
  });
  afterEach(() => h.dispose());

  it('keeps audit entries per card in order', async () => {
    const e = (seq: number, text: string): AuditEntry => ({ teamId: 'T1', channelId: 'C-sup', phoneCallId: 'call-1', seq, at: new Date(1000 + seq), text });
    await store.appendAuditEntry(e(2, 'answered'));
    await store.appendAuditEntry(e(1, 'ringing'));
    await store.appendAuditEntry({ ...e(1, 'elsewhere'), channelId: 'C-2' });
    expect(await store.listAuditEntries('T1', 'C-sup', 'call-1')).toStrictEqual([e(1, 'ringing'), e(2, 'answered')]);
    expect(await store.listAuditEntries('T1', 'C-sup', 'call-9')).toStrictEqual([]);
  });

  it('replaces a line at the same place, and refuses a fenced-out holder', async () => {
    const line = (seq: number, text: string): AuditEntry => ({ teamId: 'T1', channelId: 'C-sup', phoneCallId: 'call-1', seq, at: new Date(2000 + seq), text });
    const old = { key: 'board:T1', epoch: 3 };
    expect(await store.appendAuditEntry(line(1, 'ringing'), old)).toBe(true);
    expect(await store.appendAuditEntry(line(1, 'ringing, again'))).toBe(true);
    const newHolder: BoardCardStore = await h.open(cipherA);
    expect(await newHolder.raiseBoardFence({ key: 'board:T1', epoch: 4 })).toBe(4);
    expect(await store.appendAuditEntry(line(2, 'late'), old)).toBe(false);
    expect(await store.listAuditEntries('T1', 'C-sup', 'call-1')).toStrictEqual([line(1, 'ringing, again')]);
  });
});
