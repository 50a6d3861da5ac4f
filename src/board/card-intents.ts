/**
 * What a card's change owes Slack, as write intents for the store's outbox: the card itself
 * (latest state wins), one intent per audit line and one per alert, each under a key that stays
 * the same however often it is replayed. And the way back: stored intents still owed after a
 * restart or a takeover, handed to the board's output like fresh ones.
 */
import type { BoardChange, CommittedChange, NewIntent, OutboxIntent, OutboxStore } from '../store/outbox.js';
import type { BoardCardMemory, BoardCardStore } from '../store/types.js';
import type { BoardOutput, CardRef, IntentRef } from './output.js';
import type { CallSnapshot } from './snapshot.js';

/** One change of one card: its new state (if it changed), its new audit lines, an alert. */
export interface CardWrite {
  card?: { snapshot: CallSnapshot; extension: string; messageTs?: string };
  lines: Array<{ seq: number; text: string; own: boolean }>;
  alert?: { text: string; level: 1 | 2; episode: string };
  memory: BoardCardMemory;
}

const refKey = (ref: CardRef) => `${ref.teamId}|${ref.channelId}|${ref.phoneCallId}`;

export const cardIntentKey = (ref: CardRef) => `card|${refKey(ref)}`;
const lineKey = (ref: CardRef, seq: number) => `line|${refKey(ref)}|${seq}`;
const alertKey = (ref: CardRef, episode: string, level: number) => `alert|${refKey(ref)}|${episode}|${level}`;

interface LinePayload {
  text: string;
  own: boolean;
}
interface AlertPayload {
  text: string;
  level: 1 | 2;
}

/** The change as the store takes it: the card row, its memory, its audit entries and their intents. */
export function boardChange(ref: CardRef, w: CardWrite, at: Date): BoardChange {
  const intent = (key: string, kind: NewIntent['kind'], seq: number, payload: unknown): NewIntent => ({ ...ref, key, kind, seq, payload: JSON.stringify(payload), createdAt: at });
  const intents: NewIntent[] = [];
  const change: BoardChange = { memory: w.memory, intents };
  if (w.card) {
    const { snapshot, extension, messageTs } = w.card;
    change.card = { ...ref, extension, state: JSON.stringify(snapshot), ended: snapshot.state === 'ended', updatedAt: at, ...(messageTs && { messageTs }) };
    intents.push(intent(cardIntentKey(ref), 'card', 0, snapshot));
  }
  if (w.lines.length) change.audit = w.lines.map((l) => ({ ...ref, seq: l.seq, at, text: l.text }));
  for (const l of w.lines) intents.push(intent(lineKey(ref, l.seq), 'line', l.seq, { text: l.text, own: l.own } satisfies LinePayload));
  const last = w.lines.at(-1)?.seq ?? 0;
  if (w.alert) intents.push(intent(alertKey(ref, w.alert.episode, w.alert.level), 'alert', last + 1, { text: w.alert.text, level: w.alert.level } satisfies AlertPayload));
  return change;
}

/** After a commit: the writes, each with the intent version it delivers (a card also with the version it was drawn at). */
export function deliver(out: BoardOutput | undefined, ref: CardRef, w: CardWrite, change: BoardChange, versions: CommittedChange, messageTs: string | undefined): void {
  const refOf = (i: NewIntent): IntentRef => ({ key: i.key, version: versions.get(i.key) ?? 1, attempted: false });
  for (const i of change.intents) {
    if (i.kind === 'card' && w.card) out?.card(ref, w.card.snapshot, messageTs, refOf(i), versions.cardVersion);
    else if (i.kind === 'line') {
      const p = JSON.parse(i.payload) as LinePayload;
      out?.audit(ref, p.text, messageTs, p.own, refOf(i));
    } else if (i.kind === 'alert' && w.alert) out?.alert(ref, w.alert.text, w.alert.level, messageTs, refOf(i));
  }
}

/**
 * Hands every stored intent still owed to the output, oldest first. `live` is the ledger's card
 * (its message, if posted); an ended card's message is read from the store.
 */
export async function replayOwed(
  store: Pick<BoardCardStore, 'getBoardCard'> & { readonly outbox: OutboxStore },
  out: BoardOutput,
  live: (ref: CardRef) => { messageTs?: string } | undefined,
  log?: (message: string, fields?: Record<string, unknown>) => void,
): Promise<void> {
  const pending = (await store.outbox.pendingIntents()).filter((i) => i.kind === 'card' || i.kind === 'line' || i.kind === 'alert');
  if (pending.length === 0) return;
  const threads = new Map<string, string | undefined>();
  for (const i of pending) {
    const k = refKey(i);
    if (threads.has(k)) continue;
    const entry = live(i);
    threads.set(k, entry ? entry.messageTs : (await store.getBoardCard(i.teamId, i.channelId, i.phoneCallId))?.messageTs);
  }
  log?.('board: delivering the writes still owed to Slack', { count: pending.length });
  replay(pending, out, (ref) => threads.get(refKey(ref)));
}

/**
 * Stored intents still owed (oldest first), handed to the output again. `messageTsOf` knows the
 * message of each card (its thread, for lines and alerts); a card's own intent carries it too.
 */
function replay(pending: readonly OutboxIntent[], out: BoardOutput, messageTsOf: (ref: CardRef) => string | undefined): void {
  const cardTs = new Map<string, string>();
  for (const i of pending) if (i.kind === 'card' && i.messageTs) cardTs.set(refKey(i), i.messageTs);
  for (const i of pending) {
    const ref: CardRef = { teamId: i.teamId, channelId: i.channelId, phoneCallId: i.phoneCallId };
    const ts = cardTs.get(refKey(ref)) ?? messageTsOf(ref);
    const intent: IntentRef = { key: i.key, version: i.version, attempted: i.attemptedAt !== undefined };
    try {
      if (i.kind === 'card') out.card(ref, JSON.parse(i.payload) as CallSnapshot, ts, intent);
      else if (i.kind === 'line') {
        const p = JSON.parse(i.payload) as LinePayload;
        out.audit(ref, p.text, ts, p.own, intent);
      } else {
        const p = JSON.parse(i.payload) as AlertPayload;
        out.alert(ref, p.text, p.level, ts, intent);
      }
    } catch {
      // A payload that does not parse is skipped; it is ours, so this does not happen.
    }
  }
}
