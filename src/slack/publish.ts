/**
 * Putting call cards into channels and keeping them current: post, update in
 * place, fall back to the response_url when the bot is not in the channel, and
 * refresh every other card that shows the same call.
 */
import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { Store } from '../store/types.js';
import type { Logger } from '../log.js';

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** What a listener can answer through (Bolt's `respond`). */
export type Respond = (msg: Record<string, unknown>) => Promise<unknown>;

const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);
const GONE = new Set(['message_not_found', 'cant_update_message', 'channel_not_found', 'not_in_channel', 'is_archived']);

function slackErrorCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: string } }).data;
  return data?.error;
}

export const INVITE_HINT =
  'I am not in this channel, so I answered only here and cannot keep this card current. Invite me with `/invite @callops` to get live cards.';

export class CardPublisher {
  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  /**
   * Post a message into a channel. When it shows a call, remember it so later
   * changes update it. Without access to the channel, answer via `respond`.
   */
  async post(
    client: WebClient,
    where: { teamId: string; channelId: string; respond?: Respond },
    msg: SlackMessage,
    call?: { phoneCallId: string; extension: string; postedBy: string },
  ): Promise<{ ts?: string; viaResponseUrl: boolean }> {
    try {
      const res = await client.chat.postMessage({ channel: where.channelId, text: msg.text, blocks: msg.blocks, unfurl_links: false });
      if (call && res.ts) {
        await this.store.saveCallCard({
          teamId: where.teamId,
          channelId: where.channelId,
          messageTs: res.ts,
          phoneCallId: call.phoneCallId,
          extension: call.extension,
          postedBy: call.postedBy,
          updatedAt: new Date(),
        });
      }
      return { ts: res.ts, viaResponseUrl: false };
    } catch (err) {
      const code = slackErrorCode(err);
      if (!where.respond || !code || !NOT_IN_CHANNEL.has(code)) throw err;
      this.logger.info('bot not in channel; answering through response_url', { channel: where.channelId, error: code });
      await where.respond({ response_type: 'in_channel', text: msg.text, blocks: msg.blocks });
      await where.respond({ response_type: 'ephemeral', text: INVITE_HINT });
      return { viaResponseUrl: true };
    }
  }

  /** Replace a message in place; through the response_url when chat.update is not possible. */
  async update(client: WebClient, where: { channelId: string; ts: string; respond?: Respond }, msg: SlackMessage): Promise<void> {
    try {
      await client.chat.update({ channel: where.channelId, ts: where.ts, text: msg.text, blocks: msg.blocks });
    } catch (err) {
      const code = slackErrorCode(err);
      if (!where.respond || !code || !GONE.has(code)) throw err;
      await where.respond({ replace_original: true, text: msg.text, blocks: msg.blocks });
    }
  }

  /** Bring every other stored card of this call up to date (best effort). */
  async syncOthers(
    client: WebClient,
    phoneCallId: string,
    except: { channelId: string; ts: string } | undefined,
    render: () => SlackMessage,
  ): Promise<number> {
    const cards = await this.store.findCallCards(phoneCallId);
    let updated = 0;
    for (const card of cards) {
      if (except && card.channelId === except.channelId && card.messageTs === except.ts) continue;
      const msg = render();
      try {
        await client.chat.update({ channel: card.channelId, ts: card.messageTs, text: msg.text, blocks: msg.blocks });
        await this.store.saveCallCard({ ...card, updatedAt: new Date() });
        updated++;
      } catch (err) {
        const code = slackErrorCode(err);
        this.logger.warn('could not update a call card', { channel: card.channelId, ts: card.messageTs, error: code ?? String(err) });
        if (code && GONE.has(code)) await this.store.deleteCallCard(card.teamId, card.channelId, card.messageTs);
      }
    }
    return updated;
  }
}
