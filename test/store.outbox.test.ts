/**
 * One contract suite for the board's outbox, run against SQLite and PostgreSQL: a board change
 * and the writes it owes Slack are stored together or not at all, fenced like every board write,
 * and a write counts as delivered only for the version Slack accepted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresStore, SqliteStore, TokenCipher, type BoardCard, type NewIntent, type Store } from '../src/store/index.js';
import { freshSchema, pgAdmin, pgRequired, pgUnavailable, pgUrl } from './helpers/pg.js';

if (!pgUrl) console.warn(`store.outbox: no PostgreSQL (${pgUnavailable}); its suite is skipped`);
if (!pgUrl && pgRequired) throw new Error(`TEST_DATABASE_URL does not answer: ${pgUnavailable}`);

const cipher = TokenCipher.fromKey(TokenCipher.generateKey());
const ref = { teamId: 'T1', channelId: 'C1', phoneCallId: 'call-1' };
const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s, 7));

const card = (over: Partial<BoardCard> = {}): BoardCard => ({ ...ref, extension: '0003*210', state: '{"state":"ringing"}', ended: false, updatedAt: at(1), ...over });
const intent = (key: string, kind: NewIntent['kind'], seq: number, payload = '{}', createdAt = at(1)): NewIntent => ({ ...ref, key, kind, seq, payload, createdAt });

interface Backend {
  name: string;
  skip: boolean;
  /** A fresh database; `reopen` opens a second store object on the same one. */
  open(): Promise<{ store: Store; reopen(): Promise<Store>; dispose(): Promise<void> }>;
}

const sqlite: Backend = {
  name: 'SQLite',
  skip: false,
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'callops-outbox-'));
    const file = join(dir, 'callops.sqlite');
    const opened: SqliteStore[] = [];
    const make = async () => {
      const s = new SqliteStore({ file, cipher });
      await s.init();
      opened.push(s);
      return s;
    };
    return {
      store: await make(),
      reopen: make,
      async dispose() {
        for (const s of opened) await s.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const postgres: Backend = {
  name: 'PostgreSQL',
  skip: !pgUrl,
  async open() {
    const schema = freshSchema('callops_outbox');
    const opened: PostgresStore[] = [];
    const make = async () => {
      const s = new PostgresStore({ connectionString: pgUrl!, cipher, schema });
      await s.init();
      opened.push(s);
      return s;
    };
    return {
      store: await make(),
      reopen: make,
      async dispose() {
        for (const s of opened) await s.close();
        await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      },
    };
  },
};

for (const backend of [sqlite, postgres]) {
  describe.skipIf(backend.skip)(`board outbox: ${backend.name}`, () => {
    let db: Awaited<ReturnType<Backend['open']>>;
    let store: Store;
    beforeEach(async () => {
      db = await backend.open();
      store = db.store;
    });
    afterEach(async () => {
      await db.dispose();
    });

    it('stores a change and the writes it owes together, and lists what is pending oldest first, lines in order', async () => {
      const versions = await store.outbox.commitBoardChange({
        card: card(),
        memory: { alerts: '{"key":"ring@x","level":1}', actedAt: at(1) },
        audit: [
          { ...ref, seq: 1, at: at(1), text: 'ringing' },
          { ...ref, seq: 2, at: at(1), text: 'answered' },
        ],
        intents: [intent('card:1', 'card', 0), intent('line:1:10', 'line', 10), intent('line:1:2', 'line', 2), intent('alert:1', 'alert', 11, '{"level":1}', at(2))],
      });
      expect(versions && Object.fromEntries(versions)).toEqual({ 'card:1': 1, 'line:1:10': 1, 'line:1:2': 1, 'alert:1': 1 });
      const stored = await store.getBoardCard(ref.teamId, ref.channelId, ref.phoneCallId);
      expect(stored).toMatchObject({ state: '{"state":"ringing"}', alerts: '{"key":"ring@x","level":1}', actedAt: at(1) });
      expect((await store.listAuditEntries(ref.teamId, ref.channelId, ref.phoneCallId)).map((e) => e.text)).toEqual(['ringing', 'answered']);
      const pending = await (await db.reopen()).outbox.pendingIntents();
      expect(pending.map((i) => i.key)).toEqual(['card:1', 'line:1:2', 'line:1:10', 'alert:1']);
      expect(pending[3]).toMatchObject({ ...ref, kind: 'alert', seq: 11, payload: '{"level":1}', version: 1, createdAt: at(2) });
      expect(pending[3]!.attemptedAt).toBeUndefined();
      expect(pending[3]!.messageTs).toBeUndefined();
    });

    it("a change without the card's state keeps its state and updates its memory, with the lines it adds", async () => {
      await store.outbox.commitBoardChange({ card: card(), memory: { alerts: '{"key":"ring@x","level":1}' }, intents: [intent('card:1', 'card', 0)] });
      const versions = await store.outbox.commitBoardChange({
        memory: { legHints: '[{"from":"0003*024","mode":"listen"}]' },
        audit: [{ ...ref, seq: 1, at: at(2), text: 'listened' }],
        intents: [intent('line:1:1', 'line', 1)],
      });
      expect(versions && Object.fromEntries(versions)).toEqual({ 'line:1:1': 1 });
      const stored = await store.getBoardCard(ref.teamId, ref.channelId, ref.phoneCallId);
      expect(stored).toMatchObject({ state: '{"state":"ringing"}', legHints: '[{"from":"0003*024","mode":"listen"}]' });
      expect(stored?.alerts).toBeUndefined();
      expect((await store.listAuditEntries(ref.teamId, ref.channelId, ref.phoneCallId)).map((e) => e.text)).toEqual(['listened']);
    });

    it("a posted card's new state drawn in its commit takes the card's next version, with what it shows; a fenced-out one draws nothing", async () => {
      const posted = { channelId: ref.channelId, messageTs: '111.222' };
      const draw = (shows: string, fence?: { key: string; epoch: number }) =>
        store.outbox.commitBoardChange({ card: card({ messageTs: posted.messageTs }), intents: [intent('card:1', 'card', 0)], draw: { shows } }, fence);
      expect((await draw('ringing'))?.cardVersion).toBe(1);
      const second = await draw('talking');
      expect(second?.cardVersion).toBe(2);
      expect(second && Object.fromEntries(second)).toEqual({ 'card:1': 2 });
      expect(await store.getCardVersion(posted)).toEqual({ version: 2, shows: 'talking' });
      // Without a draw, or without a known message, the version stays.
      expect((await store.outbox.commitBoardChange({ card: card({ messageTs: posted.messageTs }), intents: [intent('card:1', 'card', 0)] }))?.cardVersion).toBeUndefined();
      expect((await store.outbox.commitBoardChange({ card: card(), intents: [], draw: { shows: 'held' } }))?.cardVersion).toBeUndefined();
      await store.raiseBoardFence({ key: 'board:T1', epoch: 5 });
      expect(await draw('on hold', { key: 'board:T1', epoch: 4 })).toBeUndefined();
      expect(await store.getCardVersion(posted)).toEqual({ version: 2, shows: 'talking' });
    });

    it("a press's note is dropped in one statement, and nothing else with it", async () => {
      await store.outbox.commitBoardChange({ intents: [intent('note:1', 'note', 0), intent('line:1:1', 'line', 1)] });
      await store.outbox.dropNote('line:1:1');
      await store.outbox.dropNote('note:1');
      expect((await store.outbox.pendingIntents()).map((i) => i.key)).toEqual(['line:1:1']);
    });

    it('stores nothing of a change that a newer board holder fenced out', async () => {
      await store.raiseBoardFence({ key: 'board:T1', epoch: 5 });
      const refused = await store.outbox.commitBoardChange(
        { card: card(), audit: [{ ...ref, seq: 1, at: at(1), text: 'ringing' }], intents: [intent('card:1', 'card', 0)] },
        { key: 'board:T1', epoch: 4 },
      );
      expect(refused).toBeUndefined();
      expect(await store.getBoardCard(ref.teamId, ref.channelId, ref.phoneCallId)).toBeUndefined();
      expect(await store.listAuditEntries(ref.teamId, ref.channelId, ref.phoneCallId)).toEqual([]);
      expect(await store.outbox.pendingIntents()).toEqual([]);
      expect(await store.outbox.commitBoardChange({ card: card(), intents: [intent('card:1', 'card', 0)] }, { key: 'board:T1', epoch: 5 })).toBeDefined();
    });

    it('rolls the whole change back when one of its writes fails', async () => {
      const bad = { ...intent('line:1:1', 'line', 1), payload: null as unknown as string };
      await expect(store.outbox.commitBoardChange({ card: card(), audit: [{ ...ref, seq: 1, at: at(1), text: 'ringing' }], intents: [intent('card:1', 'card', 0), bad] })).rejects.toThrow();
      expect(await store.getBoardCard(ref.teamId, ref.channelId, ref.phoneCallId)).toBeUndefined();
      expect(await store.listAuditEntries(ref.teamId, ref.channelId, ref.phoneCallId)).toEqual([]);
      expect(await store.outbox.pendingIntents()).toEqual([]);
    });

    it("a card's newer state replaces its pending write: only the latest version counts as delivered, and its message ts is kept", async () => {
      await store.outbox.commitBoardChange({ card: card(), intents: [intent('card:1', 'card', 0, '{"v":1}')] });
      await store.outbox.markAttempted(['card:1'], at(3));
      const v2 = await store.outbox.commitBoardChange({ card: card({ state: '{"state":"on call"}' }), intents: [intent('card:1', 'card', 0, '{"v":2}')] });
      expect(v2?.get('card:1')).toBe(2);
      // The post of version 1 was accepted: its ts is recorded on the intent and on the card, but version 2 is still owed.
      expect(await store.outbox.recordDelivery({ key: 'card:1', version: 1, messageTs: '1700000000.000100', at: at(4) })).toBe(false);
      const owed = await store.outbox.getIntent('card:1');
      expect(owed).toMatchObject({ version: 2, payload: '{"v":2}', messageTs: '1700000000.000100', attemptedAt: at(3) });
      expect(owed?.deliveredAt).toBeUndefined();
      expect((await store.getBoardCard(ref.teamId, ref.channelId, ref.phoneCallId))?.messageTs).toBe('1700000000.000100');
      // A later change saved without the ts (the ledger had not heard of it yet) keeps it.
      await store.outbox.commitBoardChange({ card: card({ state: '{"state":"on hold"}' }), intents: [intent('card:1', 'card', 0, '{"v":3}')] });
      expect((await store.getBoardCard(ref.teamId, ref.channelId, ref.phoneCallId))?.messageTs).toBe('1700000000.000100');
      expect(await store.outbox.recordDelivery({ key: 'card:1', version: 3, at: at(5) })).toBe(true);
      expect(await store.outbox.pendingIntents()).toEqual([]);
      expect(await store.outbox.getIntent('card:1')).toMatchObject({ deliveredAt: at(5), messageTs: '1700000000.000100' });
    });

    it('a delivered line or alert leaves the outbox; an ended card leaves it once its last state is delivered', async () => {
      await store.outbox.commitBoardChange({ card: card(), intents: [intent('card:1', 'card', 0), intent('line:1:1', 'line', 1), intent('alert:1', 'alert', 2)] });
      expect(await store.outbox.recordDelivery({ key: 'line:1:1', version: 1, messageTs: '1.1', at: at(2) })).toBe(true);
      expect(await store.outbox.recordDelivery({ key: 'alert:1', version: 1, at: at(2) })).toBe(true);
      expect(await store.outbox.getIntent('line:1:1')).toBeUndefined();
      expect(await store.outbox.getIntent('alert:1')).toBeUndefined();
      await store.outbox.recordDelivery({ key: 'card:1', version: 1, messageTs: '1.0', at: at(2) });
      expect(await store.outbox.getIntent('card:1')).toBeDefined();
      const v = await store.outbox.commitBoardChange({ card: card({ ended: true, state: '{"state":"ended"}' }), intents: [intent('card:1', 'card', 0)] });
      expect(await store.outbox.recordDelivery({ key: 'card:1', version: v!.get('card:1')!, at: at(3) })).toBe(true);
      expect(await store.outbox.getIntent('card:1')).toBeUndefined();
      expect((await store.getBoardCard(ref.teamId, ref.channelId, ref.phoneCallId))?.messageTs).toBe('1.0');
    });

    it('a write started before a crash is remembered as attempted by the next process', async () => {
      await store.outbox.commitBoardChange({ intents: [intent('line:1:1', 'line', 1)] });
      await store.outbox.markAttempted(['line:1:1'], at(9));
      const next = await db.reopen();
      expect(await next.outbox.pendingIntents()).toMatchObject([{ key: 'line:1:1', attemptedAt: at(9) }]);
    });
  });
}
