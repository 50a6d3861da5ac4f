/**
 * The live board cards as the store kept them, read back when a board (re)starts: each card's
 * state, message and place in its thread, and its memory (the alert raised in this episode, the
 * supervisor legs callops started). Memory that does not parse is as good as none.
 */
import type { AuditStore, BoardCardStore } from '../store/types.js';
import type { CardEntry } from './card-commits.js';
import type { Raised } from './escalation.js';
import type { CardRef } from './output.js';
import type { CallSnapshot } from './snapshot.js';

export interface StoredCard {
  ref: CardRef;
  /** The card as the ledger holds it, held by no watch yet. */
  entry: CardEntry;
  /** The alert raised on it, if any. */
  raised?: Raised;
  /** The supervisor legs its memory names, unchecked (SupervisorLegs.restore reads them). */
  legHints?: unknown;
}

/** Opaque JSON from the store; a row that does not parse is as good as none. */
function parsed<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** Every live card of the store; `now` marks the cards with an action audited whose change was not read yet. */
export async function storedCards(store: BoardCardStore & AuditStore, now: number): Promise<StoredCard[]> {
  const cards: StoredCard[] = [];
  for (const c of await store.listLiveBoardCards()) {
    const ref = { teamId: c.teamId, channelId: c.channelId, phoneCallId: c.phoneCallId };
    const seq = (await store.listAuditEntries(c.teamId, c.channelId, c.phoneCallId)).length;
    const raised = parsed<Raised>(c.alerts);
    const entry: CardEntry = {
      snapshot: JSON.parse(c.state) as CallSnapshot,
      extension: c.extension,
      holders: new Set(),
      seq,
      ...(c.messageTs && { messageTs: c.messageTs }),
      // An action audited before the stop whose change was not read yet: the first read now is its change.
      ...(c.actedAt && { actedAt: now }),
    };
    cards.push({
      ref,
      entry,
      ...(raised && typeof raised.key === 'string' && typeof raised.level === 'number' && { raised }),
      ...(c.legHints && { legHints: parsed<unknown>(c.legHints) }),
    });
  }
  return cards;
}
