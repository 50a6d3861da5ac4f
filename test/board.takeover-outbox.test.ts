/**
 * A board holder that dies between storing a change and Slack taking its writes leaves them in
 * the store's outbox; the next holder (a replica taking the board over, or the same process
 * restarted) delivers them first, each with the intent it delivers, and only what Slack has not
 * accepted yet. A write that had started is handed over as attempted, so the writer looks for it
 * in Slack before writing it again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Board } from '../src/board/board.js';
import type { BoardOutput, IntentRef } from '../src/board/output.js';
import { Escalation } from '../src/board/escalation.js';
import { CardLedger } from '../src/board/ledger.js';
import { TokenCipher } from '../src/store/crypto.js';
import { SqliteStore } from '../src/store/sqlite.js';
import type { PhoneCall } from '../src/uapi/schemas.js';

const cipher = TokenCipher.fromKey(TokenCipher.generateKey());
const watch = () => ({ teamId: 'T1', channelId: 'C1', extension: '0003*210', key: 'T1|C1|0003*210', seen: new Set<string>() });

function ringing(): PhoneCall {
  return {
    id: 'call-1',
    extension: '0003*210',
    published: '2026-01-01T00:00:00Z',
    phoneCallView: [{ id: 'v1', extension: '0003*210', source: ['0003*100'], destination: ['0003*210'], status: 3, ringing: '2026-01-01T00:00:00Z' }],
  } as unknown as PhoneCall;
}

interface Sent {
  what: string;
  intent: IntentRef | undefined;
}

function recorder(): BoardOutput & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    card: (ref, s, _ts, intent) => sent.push({ what: `card ${ref.phoneCallId} ${s.state}`, intent }),
    audit: (ref, line, _ts, _own, intent) => sent.push({ what: `audit ${ref.phoneCallId} ${line}`, intent }),
    alert: (ref, text, _level, _ts, intent) => sent.push({ what: `alert ${ref.phoneCallId} ${text}`, intent }),
    notice: (_t, _c, text) => sent.push({ what: `notice ${text}`, intent: undefined }),
  };
}

const holder = (store: SqliteStore, out: BoardOutput) => {
  const board = new Board({ store, clientFor: () => Promise.reject(new Error('no PBX here')), isLinkProblem: () => false });
  board.setOutput(out);
  return board;
};

describe('the board outbox across a takeover', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'callops-takeover-'));
    store = new SqliteStore({ file: join(dir, 'callops.sqlite'), cipher });
    await store.init();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the next holder delivers what the dead one owed, first, and nothing Slack already accepted', async () => {
    // Holder A stores a new call's card and its first audit line, then dies before Slack took any of it.
    const outA = recorder();
    const ledgerA = new CardLedger({ store, escalation: new Escalation(), isQueue: () => false, output: () => outA, now: Date.now, fence: () => ({ key: 'board:T1', epoch: 1 }) });
    await store.raiseBoardFence({ key: 'board:T1', epoch: 1 });
    await ledgerA.reconcile(watch(), [ringing()]);
    expect(outA.sent.map((s) => s.what)).toEqual(['card call-1 ringing', 'audit call-1 ringing: 0003*100 calling 0003*210']);

    // Holder B takes the board over: the same writes, with the intents they deliver, before anything else.
    const outB = recorder();
    const b = holder(store, outB);
    await b.start({ key: 'board:T1', epoch: 2 });
    expect(outB.sent.map((s) => s.what)).toEqual(outA.sent.map((s) => s.what));
    expect(outB.sent.map((s) => s.intent)).toEqual(outA.sent.map((s) => s.intent));
    expect(outB.sent.every((s) => s.intent?.version === 1 && s.intent.attempted === false)).toBe(true);
    b.stop();

    // Slack took the card (its post had been marked attempted first); the line's post started, with no answer.
    const [card, line] = outB.sent.map((s) => s.intent!);
    await store.outbox.markAttempted([card!.key, line!.key], new Date());
    expect(await store.outbox.recordDelivery({ key: card!.key, version: card!.version, messageTs: '1700000000.000100', at: new Date() })).toBe(true);
    expect((await store.getBoardCard('T1', 'C1', 'call-1'))?.messageTs).toBe('1700000000.000100');

    // Holder C is handed only the line, as attempted (the writer looks in the thread before posting it again).
    const outC = recorder();
    const c = holder(store, outC);
    await c.start({ key: 'board:T1', epoch: 3 });
    expect(outC.sent).toEqual([{ what: 'audit call-1 ringing: 0003*100 calling 0003*210', intent: { ...line!, attempted: true } }]);
    c.stop();
  });
});
