/**
 * A message as callops sends it (top-level text and blocks), the Bolt `respond` it can answer
 * through, and the minimal card Slack accepts when it refused the full one.
 */
import type { KnownBlock } from '@slack/types';
import { LIMITS, clip } from '../blocks/limits.js';
import { escapeMrkdwn } from '../blocks/mrkdwn.js';

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** What a listener can answer through (Bolt's `respond`). */
export type Respond = (msg: Record<string, unknown>) => Promise<unknown>;

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
