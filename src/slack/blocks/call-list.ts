/**
 * Several calls (a `/call list`): one message of call cards, cut with a note at
 * Block Kit's block limit. Answered privately, each call with a "Post to
 * channel" button that shares that call's card with the channel.
 */
import type { KnownBlock } from '@slack/types';
import { countOf, extensionWords } from '../../calls/describe.js';
import type { PhoneCall } from '../../uapi/schemas.js';
import { callCard } from './call-card.js';
import { LIMITS, clip } from './limits.js';
import { code, escapeMrkdwn } from './mrkdwn.js';

export interface ListOptions {
  /** Each call gets a "Post to channel" button (the list is private). */
  postable?: boolean;
}

export function callListMessage(extension: string, calls: PhoneCall[], opts: ListOptions = {}): { text: string; blocks: KnownBlock[] } {
  if (calls.length === 0) {
    const where = extension === '@self' ? 'your extensions' : code(extension);
    return { text: escapeMrkdwn(`No live calls on ${extensionWords(extension)}.`), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `No live calls on ${where}.` } }] };
  }
  // The same call listed twice would repeat its block ids: it is shown once.
  const unique = [...new Map(calls.map((c) => [c.id, c])).values()];
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*${countOf(unique.length, 'live call')}* on ${extension === '@self' ? 'your extensions' : code(extension)}`, LIMITS.sectionText) },
    },
  ];
  let shown = 0;
  for (const call of unique) {
    // A private list (postable) is the supervisor's own view; a list in a channel shows the parties only.
    const card = callCard(call, { extension, ...(opts.postable ? { postable: true } : { partiesOnly: true }) }).blocks;
    if (blocks.length + card.length + 2 > LIMITS.messageBlocks) break;
    blocks.push({ type: 'divider' }, ...card);
    shown++;
  }
  if (shown < unique.length) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${countOf(unique.length - shown, 'more call')} not shown; use \`/call list <extension> <callId>\` for one call.` }],
    });
  }
  return { text: clip(escapeMrkdwn(`${countOf(unique.length, 'live call')} on ${extensionWords(extension)}`), LIMITS.messageText), blocks };
}
