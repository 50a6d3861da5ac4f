/**
 * Board cards: the one renderer (blocks/card-render.ts) on the board's surface (a headline a
 * supervisor reads, one line per leg with the buttons its state offers, supervisor legs
 * included, an ended card without buttons). A card's buttons carry the version it is drawn at
 * (card-version.ts), like every call card's. Also the compact summary: one line per live call.
 */
import type { KnownBlock } from '@slack/types';
import { code } from '../blocks/mrkdwn.js';
import { FIRST_VERSION, stampVersion } from '../cards/card-version.js';
import { BOARD_SURFACE, renderCard } from '../blocks/card-render.js';
import type { CallSnapshot } from '../../board/snapshot.js';
import { STATE_EMOJI, when } from '../blocks/call-headline.js';
import { LIMITS, clip } from '../blocks/limits.js';
import type { SlackMessage } from '../cards/slack-message.js';

/** The card of one call on a board, its buttons carrying `version` (a new card's until the writer draws it again). */
export function boardCard(s: CallSnapshot, version = FIRST_VERSION): SlackMessage {
  return stampVersion(renderCard(s, BOARD_SURFACE), version);
}

/** One message for a whole busy channel: a line per live call (caller, agent, state, since when). */
export function summaryMessage(calls: CallSnapshot[], note: string): SlackMessage {
  const lines = calls.map((s) => `${STATE_EMOJI[s.state]} ${code(s.caller)} · ${s.agents.map(code).join(', ') || code(s.called)} · ${s.state} since ${when(s.since)} · ${code(s.id)}`);
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: clip(`*${calls.length} live call(s)* · ${note}`, LIMITS.sectionText) } }];
  // Sections of up to ~2900 characters, at most 45 of them.
  let chunk = '';
  for (const line of lines) {
    if (chunk.length + line.length + 1 > LIMITS.sectionText - 100) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
      chunk = '';
      if (blocks.length >= LIMITS.messageBlocks - 2) break;
    }
    chunk += (chunk ? '\n' : '') + line;
  }
  if (chunk && blocks.length < LIMITS.messageBlocks - 1) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
  return { text: `${calls.length} live call(s)`, blocks };
}
