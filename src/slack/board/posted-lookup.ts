/**
 * After a crash between a post and its answer, did Slack take it? The board's posts carry the
 * keys of the intents they deliver as message metadata (board-messages.ts); this reads them back from
 * the card's thread (`conversations.replies`) or the channel's recent history
 * (`conversations.history`), with `include_all_metadata`. Needs the history scopes
 * (`channels:history`, `groups:history`); without them (or on any error) nothing is found and
 * the write is made again: at least once.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../log.js';
import { INTENT_EVENT } from './board-messages.js';

/** How far back the channel is searched for a card's post (newest first). */
const HISTORY_LIMIT = 200;

interface MessageWithMetadata {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: { keys?: unknown } };
}

export async function findPosted(client: WebClient, channelId: string, keys: string[], threadTs: string | undefined, logger: Logger): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const wanted = new Set(keys);
  try {
    const res = threadTs
      ? await client.conversations.replies({ channel: channelId, ts: threadTs, include_all_metadata: true, limit: HISTORY_LIMIT })
      : await client.conversations.history({ channel: channelId, include_all_metadata: true, limit: HISTORY_LIMIT });
    for (const m of (res.messages ?? []) as MessageWithMetadata[]) {
      if (m.metadata?.event_type !== INTENT_EVENT || !m.ts) continue;
      const payloadKeys = m.metadata.event_payload?.keys;
      if (!Array.isArray(payloadKeys)) continue;
      for (const k of payloadKeys) if (typeof k === 'string' && wanted.has(k)) found.set(k, m.ts);
    }
  } catch (err) {
    logger.warn('board: could not look for a write that may have reached Slack; writing it again', {
      channel: channelId,
      error: (err as { data?: { error?: string } }).data?.error ?? (err instanceof Error ? err.message : String(err)),
    });
  }
  return found;
}
