/**
 * Putting call cards into channels and keeping them current: post, update in
 * place, fall back to the response_url when the bot is not in the channel, and
 * refresh every other card that shows the same call. Every update of a message
 * goes through one write order per message (ordered-writes.ts), so a late
 * "working…" note never covers the result. When Slack refuses a card
 * (`invalid_blocks`, `msg_too_long`) a minimal card is sent instead and the
 * caller is told, so the user hears that the action ran. Every card written
 * here is stamped with its next version (card-version.ts) as it is sent.
 */
import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { CallCardStore, CardVersionStore } from '../../store/types.js';
import type { Logger } from '../../log.js';
import { escapeMrkdwn } from '../blocks/mrkdwn.js';
import { OrderedWrites } from './ordered-writes.js';
import { LIMITS, clip } from '../blocks/limits.js';
import { CardVersions, FIRST_VERSION, stampVersion } from './card-version.js';

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** What a listener can answer through (Bolt's `respond`). */
export type Respond = (msg: Record<string, unknown>) => Promise<unknown>;

/** Where a message is, to update it. */
export interface MessagePlace {
  channelId: string;
  ts: string;
  respond?: Respond;
}

/** How a post or update went: `refused` names Slack's error when only the minimal card could be shown. */
export interface Published {
  ts?: string;
  viaResponseUrl: boolean;
  refused?: string;
}

const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);
const GONE = new Set(['message_not_found', 'cant_update_message', 'channel_not_found', 'not_in_channel', 'is_archived']);
/** Slack refused the card itself: a smaller one will do. */
const CARD_REFUSED = new Set(['invalid_blocks', 'msg_too_long', 'invalid_blocks_format', 'too_many_attachments', 'invalid_arguments']);

function slackErrorCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: string } }).data;
  return data?.error;
}

export const INVITE_HINT = 'I am not in this channel, so I answered only here and cannot keep this card current. Invite me with `/invite @callops` to get live cards.';

/** The card Slack accepts when it refused the full one: the message's own text, plainly. */
export function minimalCard(msg: SlackMessage): SlackMessage {
  // Room for what escaping adds to the section's copy of the text.
  const text = clip(msg.text, LIMITS.sectionText - 100);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(text) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Slack could not show the full card; `/call list` shows the call again.' }] },
    ],
  };
}

export class CardPublisher {
  private readonly writes = new OrderedWrites();
  /** The versions of the cards written here (the pipeline judges presses by them). */
  readonly versions: CardVersions;

  constructor(
    private readonly store: CallCardStore & CardVersionStore,
    private readonly logger: Logger,
  ) {
    this.versions = new CardVersions(store);
  }

  /**
   * Post a message into a channel. When it shows a call, remember it so later
   * changes update it. Without access to the channel, answer via `respond`.
   */
  async post(
    client: WebClient,
    where: { teamId: string; channelId: string; respond?: Respond },
    drawn: SlackMessage,
    call?: { phoneCallId: string; extension: string; postedBy: string },
  ): Promise<Published> {
    let refused: string | undefined;
    // A new message: the first version (its ts, the card's key, is Slack's answer).
    const msg = stampVersion(drawn, FIRST_VERSION);
    try {
      const res = await this.withFallback(
        msg,
        (m) => client.chat.postMessage({ channel: where.channelId, text: m.text, blocks: m.blocks, unfurl_links: false }),
        (code) => (refused = code),
      );
      if (res.ts) await this.versions.posted({ channelId: where.channelId, messageTs: res.ts }, msg);
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
      return { ts: res.ts, viaResponseUrl: false, ...(refused && { refused }) };
    } catch (err) {
      const code = slackErrorCode(err);
      if (!where.respond || !code || !NOT_IN_CHANNEL.has(code)) throw err;
      this.logger.info('bot not in channel; answering through response_url', { channel: where.channelId, error: code });
      const shown = refused ? minimalCard(msg) : msg;
      await where.respond({ response_type: 'in_channel', text: shown.text, blocks: shown.blocks });
      await where.respond({ response_type: 'ephemeral', text: INVITE_HINT });
      return { viaResponseUrl: true, ...(refused && { refused }) };
    }
  }

  /**
   * Replace a message in place; through the response_url when chat.update is not possible.
   * `transient` (the "working…" note) is never waited for by final writes and never stays on top of one.
   * A card is drawn at its next version, unless it shows the same state again (`transient`, or
   * `sameState`: put back as it was after an action that did not happen).
   */
  async update(client: WebClient, where: MessagePlace, drawn: SlackMessage, opts: { transient?: boolean; sameState?: boolean } = {}): Promise<Published> {
    let refused: string | undefined;
    const card = { channelId: where.channelId, messageTs: where.ts };
    let stamped: SlackMessage | undefined;
    const write = async () => {
      // Stamped when first sent (writes to one message go in order), so the card Slack shows last has the highest
      // version; a final write applied again over a late "working…" note keeps the version it was drawn at.
      stamped ??= opts.transient || opts.sameState ? await this.versions.same(card, drawn) : await this.versions.next(card, drawn);
      const msg = stamped;
      try {
        await this.withFallback(
          msg,
          (m) => client.chat.update({ channel: where.channelId, ts: where.ts, text: m.text, blocks: m.blocks }),
          (code) => (refused = code),
        );
      } catch (err) {
        const code = slackErrorCode(err);
        if (!where.respond || !code || !GONE.has(code)) throw err;
        const shown = refused ? minimalCard(msg) : msg;
        await where.respond({ replace_original: true, text: shown.text, blocks: shown.blocks });
      }
    };
    const key = `${where.channelId}:${where.ts}`;
    await (opts.transient ? this.writes.transient(key, write) : this.writes.final(key, write));
    return { ts: where.ts, viaResponseUrl: false, ...(refused && { refused }) };
  }

  /**
   * Bring every other stored card of this call in the acting workspace up to date (best effort).
   * A card of another workspace is never written on this one's behalf.
   */
  async syncOthers(client: WebClient, teamId: string, phoneCallId: string, except: { channelId: string; ts: string } | undefined, render: () => SlackMessage): Promise<number> {
    const cards = (await this.store.findCallCards(phoneCallId)).filter((c) => c.teamId === teamId);
    let updated = 0;
    for (const card of cards) {
      if (except && card.channelId === except.channelId && card.messageTs === except.ts) continue;
      try {
        await this.update(client, { channelId: card.channelId, ts: card.messageTs }, render());
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

  /** Send `msg`; when Slack refuses the card itself, send the minimal card instead and report Slack's error. */
  private async withFallback<T>(msg: SlackMessage, send: (m: SlackMessage) => Promise<T>, onRefused: (code: string) => void): Promise<T> {
    try {
      return await send(msg);
    } catch (err) {
      const code = slackErrorCode(err);
      if (!code || !CARD_REFUSED.has(code)) throw err;
      this.logger.warn('Slack refused a card; sending a minimal one', { error: code, blocks: msg.blocks.length });
      onRefused(code);
      return send(minimalCard(msg));
    }
  }
}
