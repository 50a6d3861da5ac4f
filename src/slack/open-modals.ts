/**
 * The cards whose action modal is open, so a submission updates the card the
 * button was pressed on (blocks included, for a call inside a list). Kept in
 * memory: a modal outliving a restart still works, its card is then posted
 * privately instead of updated.
 */
import { randomBytes } from 'node:crypto';
import type { KnownBlock } from '@slack/types';
import type { Respond } from './publish.js';

export interface CardPlace {
  channelId?: string;
  ts?: string;
  blocks?: KnownBlock[];
  respond?: Respond;
}

export class OpenModals {
  private readonly open = new Map<string, { place: CardPlace; at: number }>();
  private static readonly TTL_MS = 30 * 60_000;

  remember(place: CardPlace, now: number): string {
    for (const [k, v] of this.open) if (now - v.at > OpenModals.TTL_MS) this.open.delete(k);
    const id = randomBytes(8).toString('hex');
    this.open.set(id, { place, at: now });
    return id;
  }

  take(id: string): CardPlace {
    const place = this.open.get(id)?.place ?? {};
    this.open.delete(id);
    return place;
  }
}
