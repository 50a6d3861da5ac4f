/**
 * Is the bot in the channel a watch is set in? A board in a channel the bot
 * cannot write to only fails, so the watch is not set and the supervisor is
 * told how to invite the bot. Asked with `conversations.info` (scopes
 * `channels:read`, `groups:read`).
 */
import type { webApi } from '@slack/bolt';
import { slackErrorCode } from '../../health.js';

export type ChannelAccess = 'member' | 'absent' | 'unknown';

/** Slack's answers that mean the bot cannot post here. */
const ABSENT_CODES = new Set(['channel_not_found', 'not_in_channel', 'is_archived']);

export async function botChannelAccess(client: webApi.WebClient, channelId: string): Promise<ChannelAccess> {
  try {
    const info = await client.conversations.info({ channel: channelId });
    const channel = info.channel as { is_member?: boolean; is_archived?: boolean; is_im?: boolean } | undefined;
    if (channel?.is_archived) return 'absent';
    // Direct messages carry no is_member; the bot answers there through the command's response_url.
    if (channel?.is_member === false) return 'absent';
    return 'member';
  } catch (err) {
    const code = slackErrorCode(err);
    return code && ABSENT_CODES.has(code) ? 'absent' : 'unknown';
  }
}

export const INVITE_HOW_TO =
  ':no_entry: callops is not a member of this channel, so it cannot post a board here. Invite it first with `/invite @callops`, then run the watch again (e.g. `/call watch 0003*210`). Nothing was stored.';
