/**
 * Putting call cards into channels and keeping them current: post, update in
 * place, fall back to the response_url when the bot is not in the channel, and
 * refresh every other card that shows the same call. Every write goes through
 * the card writer (card-writer.ts) on the budgets the board's cards spend, so a
 * late "working…" note never covers the result. When Slack refuses a card
 * (`invalid_blocks`, `msg_too_long`) a minimal card is sent instead and the
 * caller is told, so the user hears that the action ran. Every card written
 * here is stamped with its next version (card-version.ts) as it is sent.
 */
import type { CallCardStore, CardVersionStore } from '../../store/types.js';
import type { Logger } from '../../log.js';
import { CardVersions, FIRST_VERSION, stampVersion } from './card-version.js';
import { type CardWriter, GONE, slackErrorCode } from './card-writer.js';
import { minimalCard, type Respond, type SlackMessage } from './slack-message.js';

export type { Respond, SlackMessage } from './slack-message.js';

/** Where a message is, to update it. */
export interface MessagePlace {
  channelId: string;
  ts: string;
  respond?: Respond;
  /** The workspace whose budget the write spends (default: the one the current work is for). */
  teamId?: string;
}

/** How a post or update went: `refused` names Slack's error when only the minimal card could be shown. */
export interface Published {
  ts?: string;
  viaResponseUrl: boolean;
  refused?: string;
}

const NOT_IN_CHANNEL = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

export const INVITE_HINT = 'I am not in this channel, so I answered only here and cannot keep this card current. Invite me with `/invite @callops` to get live cards.';

export class CardPublisher {
  /** The versions of the cards written here (the pipeline judges presses by them). */
  readonly versions: CardVersions;

  constructor(
    private readonly store: CallCardStore & CardVersionStore,
    private readonly logger: Logger,
    private readonly writer: CardWriter,
    /** The workspace of the work under way, when a place does not name it. */
    private readonly currentTeam: () => string | undefined = () => undefined,
  ) {
    this.versions = new CardVersions(store);
  }

  /**
   * Post a message into a channel. When it shows a call, remember it so later
   * changes update it. Without access to the channel, answer via `respond`.
   * (Card writes go out on the card writer's own client, with the workspace's token.)
   */
  async post(where: { teamId: string; channelId: string; respond?: Respond }, drawn: SlackMessage, call?: { phoneCallId: string; extension: string; postedBy: string }): Promise<Published> {
    let refused: string | undefined;
    // A new message: the first version (its ts, the card's key, is Slack's answer).
    const msg = stampVersion(drawn, FIRST_VERSION);
    try {
      const res = await this.writer.post(where.teamId, where.channelId, msg, (code) => (refused = code));
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
  async update(where: MessagePlace, drawn: SlackMessage, opts: { transient?: boolean; sameState?: boolean } = {}): Promise<Published> {
    const card = { channelId: where.channelId, messageTs: where.ts };
    const written = await this.writer.update({
      teamId: where.teamId ?? this.currentTeam() ?? '',
      channelId: where.channelId,
      ts: where.ts,
      // Stamped when first sent, so the card Slack shows last has the highest version.
      draw: (next) => (next ? this.versions.next(card, drawn) : this.versions.same(card, drawn)),
      next: !opts.transient && !opts.sameState,
      ...(opts.transient && { transient: true }),
      ...(where.respond && { respond: where.respond }),
    });
    return { ts: where.ts, viaResponseUrl: false, ...(written.refused && { refused: written.refused }) };
  }

  /**
   * Bring every other stored card of this call in the acting workspace up to date (best effort).
   * A card of another workspace is never written on this one's behalf.
   */
  async syncOthers(teamId: string, phoneCallId: string, except: { channelId: string; ts: string } | undefined, render: () => SlackMessage): Promise<number> {
    const cards = (await this.store.findCallCards(phoneCallId)).filter((c) => c.teamId === teamId);
    let updated = 0;
    for (const card of cards) {
      if (except && card.channelId === except.channelId && card.messageTs === except.ts) continue;
      try {
        await this.update({ teamId, channelId: card.channelId, ts: card.messageTs }, render());
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
