/**
 * The cards whose action modal is open, so a submission updates the card the
 * button was pressed on (blocks included, for a call inside a list). Kept in
 * the store (with an expiry), so a modal opened through one replica can be
 * submitted through another, or after a restart. The card's `respond` is kept
 * as its response URL and rebuilt on submission.
 */
import { randomBytes } from 'node:crypto';
import type { KnownBlock } from '@slack/types';
import type { OpenModalStore } from '../../store/types.js';
import type { Respond } from '../cards/publish.js';

export interface CardPlace {
  channelId?: string;
  ts?: string;
  blocks?: KnownBlock[];
  respond?: Respond;
}

/** The button that opened the modal: its action id and the card version it was drawn at (0: none). */
export interface OpenedBy {
  actionId: string;
  version: number;
}

interface StoredPlace {
  channelId?: string;
  ts?: string;
  blocks?: KnownBlock[];
  responseUrl?: string;
  openedBy?: OpenedBy;
}

export class OpenModals {
  static readonly TTL_MS = 30 * 60_000;

  constructor(private readonly store: OpenModalStore) {}

  async remember(place: Omit<CardPlace, 'respond'> & { responseUrl?: string; openedBy?: OpenedBy }, now: number): Promise<string> {
    const id = randomBytes(8).toString('hex');
    const stored: StoredPlace = { channelId: place.channelId, ts: place.ts, blocks: place.blocks, responseUrl: place.responseUrl, ...(place.openedBy && { openedBy: place.openedBy }) };
    await this.store.saveOpenModal(id, JSON.stringify(stored), new Date(now + OpenModals.TTL_MS), new Date(now));
    return id;
  }

  /**
   * The card of an open modal (once), with the button that opened it; an unknown or expired
   * one: {} (its card is then posted privately).
   */
  async take(id: string, now: number): Promise<CardPlace & { openedBy?: OpenedBy }> {
    const text = await this.store.takeOpenModal(id, new Date(now));
    if (!text) return {};
    const stored = JSON.parse(text) as StoredPlace;
    const place: CardPlace & { openedBy?: OpenedBy } = {};
    const by = stored.openedBy;
    if (by && typeof by.actionId === 'string' && Number.isInteger(by.version)) place.openedBy = { actionId: by.actionId, version: by.version };
    if (stored.channelId) place.channelId = stored.channelId;
    if (stored.ts) place.ts = stored.ts;
    if (stored.blocks) place.blocks = stored.blocks;
    const url = stored.responseUrl;
    // The URL came in a signed Slack request (the press that opened the modal).
    if (url && /^https?:\/\//.test(url)) {
      place.respond = async (msg) => {
        const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(msg) });
        if (!res.ok) throw new Error(`response_url answered ${res.status}`);
        return res.json().catch(() => undefined);
      };
    }
    return place;
  }
}
