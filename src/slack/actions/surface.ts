/**
 * Where an action's result goes (the pipeline's surface): a new card in the
 * channel (`/call`), or the card a button was pressed on, updated in place;
 * and the private answer to the acting user on either.
 */
import type { webApi } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { SlackUser } from '../users/accounts.js';
import type { MessagePlace, Respond } from '../cards/publish.js';

export type Surface =
  /** `/call`: a new card in the channel (events and failures privately). */
  | { kind: 'post'; channelId: string; respond: Respond }
  /** `/call list`: answered privately, each call with a button that posts its card to the channel. */
  | { kind: 'private'; channelId: string; respond: Respond }
  /** A press or a modal: the card the user acted on, updated in place (privately when it cannot be). */
  | { kind: 'card'; channelId?: string; ts?: string; blocks?: KnownBlock[]; respond?: Respond };

/** The message a card surface can update, when it is one. */
export function cardPlace(s: Surface): (MessagePlace & { blocks?: KnownBlock[] }) | undefined {
  if (s.kind !== 'card' || s.channelId === undefined || s.ts === undefined) return undefined;
  return { channelId: s.channelId, ts: s.ts, ...(s.respond && { respond: s.respond }), ...(s.blocks && { blocks: s.blocks }) };
}

/** A private answer: response_url when there is one, else ephemeral in the channel, else a DM. */
export async function tellPrivately(s: Surface, client: webApi.WebClient, user: SlackUser, text: string, blocks?: KnownBlock[]): Promise<void> {
  const payload = { text, ...(blocks && { blocks }) };
  if (s.respond) {
    await s.respond({ response_type: 'ephemeral', replace_original: false, ...payload });
    return;
  }
  if (s.channelId) {
    try {
      await client.chat.postEphemeral({ channel: s.channelId, user: user.userId, ...payload });
      return;
    } catch {
      /* not in the channel: a DM instead */
    }
  }
  await client.chat.postMessage({ channel: user.userId, ...payload });
}
