/**
 * Reading a call again after an action whose result is not known (accepted
 * but not read back, or uncertain after a timeout): a few tries in the
 * background, then the card the user acted on and every other card of the call
 * show the state as read (or a plain note asking to press Refresh).
 */
import type { webApi } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import { callCard, endedCard, replaceCallBlocks, withNote } from './blocks/call-card.js';
import type { PhoneCall } from '../uapi/schemas.js';
import type { SlackUser } from './accounts.js';
import type { SlackDeps } from './deps.js';
import { pendingCard } from './pending-card.js';
import type { MessagePlace, SlackMessage } from './publish.js';

export interface Reread {
  client: webApi.WebClient;
  user: SlackUser;
  phoneCallId: string;
  extension: string;
  /** What happened, kept on the card after the read ("<@U> asked for Hold; ..."). */
  note: string;
  /** The message showing the pending state, with the blocks it shows. */
  where?: MessagePlace & { blocks: KnownBlock[] };
}

export class CallRereads {
  constructor(
    private readonly deps: Pick<SlackDeps, 'accounts' | 'publisher' | 'followUp' | 'operations' | 'logger' | 'background'>,
    private readonly delaysMs: readonly number[],
  ) {}

  schedule(r: Reread, attempt = 0): void {
    const delay = this.delaysMs[attempt];
    if (delay === undefined) return;
    this.deps.background.later(delay, () => this.read(r, attempt));
  }

  private async read(r: Reread, attempt: number): Promise<void> {
    const { accounts, publisher, followUp, operations, logger } = this.deps;
    let msg: SlackMessage;
    let call: PhoneCall | undefined;
    try {
      const { client } = await accounts.clientFor(r.user);
      call = await client.getPhoneCall({ extension: r.extension, phoneCallId: r.phoneCallId });
      const note = `${r.note} · state read again ${operations.time()}`;
      msg = call ? callCard(call, { extension: r.extension, note }) : endedCard(r.phoneCallId, r.extension, note);
    } catch (err) {
      logger.warn('could not read a call again after an action', { call: r.phoneCallId, error: err instanceof Error ? err.message : String(err) });
      if (attempt + 1 < this.delaysMs.length) return this.schedule(r, attempt + 1);
      const note = `:warning: ${r.note}; its state could not be read. Press Refresh.`;
      msg = r.where ? { text: note, blocks: withNote(r.where.blocks, r.phoneCallId, note) } : pendingCard(r.phoneCallId, r.extension, note);
    }
    if (r.where) await publisher.update(r.client, r.where, { text: msg.text, blocks: replaceCallBlocks(r.where.blocks, r.phoneCallId, msg.blocks) });
    await publisher.syncOthers(r.client, r.phoneCallId, r.where, () => msg);
    if (call) followUp.follow(r.client, r.user, call, r.extension, r.note);
  }
}
