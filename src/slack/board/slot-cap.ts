/**
 * The board writer keeps one slot per card it wrote; a slot fully written (posted,
 * latest state sent, no lines pending, not held for another replica) is only a cache
 * of the card's message ts, which the ledger hands in again with the next change. So
 * beyond a cap the oldest such slots go, and the writer's memory stays bounded however
 * many calls stay live.
 */
import type { Slot } from './board-messages.js';

/** Settled slots kept at most (pending ones are never evicted: they hold unwritten changes). */
export const MAX_SETTLED_SLOTS = 2000;

/** Whether a slot holds nothing the writer still has to send. */
export const settled = (s: Slot): boolean => s.ts !== undefined && s.version === s.sent && s.lines.length === 0 && s.heldUntil === undefined;

/** Evicts the oldest settled slots while there are more than `max` slots; returns how many went. */
export function evictSettled(slots: Map<string, Slot>, max = MAX_SETTLED_SLOTS): number {
  let evicted = 0;
  if (slots.size <= max) return 0;
  for (const [k, s] of slots) {
    if (slots.size <= max) break;
    if (!settled(s)) continue;
    slots.delete(k);
    evicted++;
  }
  return evicted;
}
