/**
 * Card versions. Every card (one message showing a call: a call card in any
 * channel, a board card) carries the version it was drawn at, and so does each
 * of its buttons. The version goes up with each state the card is drawn with
 * (the store counts it, so every replica agrees), and the store keeps what the
 * card showed last. A press therefore says which card it was made on: a press
 * of the current version runs once per action (a claim on card, version and
 * action: retries, double clicks and replicas are one press); a press of an
 * older version is answered with what the card shows now and sends nothing to
 * VoipNow; a new version always takes the next press, however much it looks
 * like an earlier one.
 */
import type { Button, KnownBlock } from '@slack/types';
import type { CardMessage, CardVersionStore } from '../../store/types.js';
import { ACTION_ID_PREFIX } from '../blocks/ids.js';
import { LIMITS, clip } from '../blocks/limits.js';
import { readCardTarget } from './card-target.js';

interface Drawn {
  text: string;
  blocks: KnownBlock[];
}

/** A new card's version, before Slack gave it a ts. */
export const FIRST_VERSION = 1;

/**
 * The message with every call button carrying `version`. A button's value is rebuilt from the
 * target it carried, read back through the seeds' rules, so only ids that pass them go into it;
 * a call button whose ids do not (a PBX sent a call id no action could use) is left out, as a
 * press of it could never act.
 */
export function stampVersion<T extends Drawn>(msg: T, version: number): T {
  const stamp = (e: unknown): unknown => {
    const b = e as Button;
    if (b?.type !== 'button' || !b.action_id?.startsWith(ACTION_ID_PREFIX)) return e;
    const target = readCardTarget(b.value);
    return target ? { ...b, value: JSON.stringify({ ...target, version }) } : undefined;
  };
  const blocks: KnownBlock[] = [];
  for (const block of msg.blocks) {
    if (block.type === 'actions') {
      const elements = block.elements.map(stamp).filter((e) => e !== undefined) as typeof block.elements;
      if (elements.length) blocks.push({ ...block, elements });
    } else if (block.type === 'section' && block.accessory) {
      const accessory = stamp(block.accessory) as typeof block.accessory | undefined;
      const { accessory: _, ...rest } = block;
      blocks.push(accessory ? { ...block, accessory } : rest);
    } else {
      blocks.push(block);
    }
  }
  return { ...msg, blocks };
}

/** What a card shows, in a line: its headline (callops' own escaped mrkdwn), else its text. */
export function cardShows(msg: Drawn): string {
  for (const b of msg.blocks) {
    if (b.type === 'section' && typeof b.block_id === 'string' && b.block_id.endsWith('.head') && b.text?.text) return clip(b.text.text, LIMITS.contextText);
  }
  return clip(msg.text, LIMITS.contextText);
}

/** A press on a card: which message, which action, at which version (0: a button without one). */
export interface VersionedPress extends CardMessage {
  teamId: string;
  actionId: string;
  version: number;
}

/** The one run of an action from one version of a card: retries, double clicks and replicas share it. */
export function pressClaimKey(p: VersionedPress): string {
  return `card:${p.teamId}:${p.channelId}:${p.messageTs}:${p.version}:${p.actionId}`;
}

/** How a press stands against the card it was made on. */
export type PressStanding =
  /** The card as it is now, or a message callops never versioned. */
  | { kind: 'current' }
  /** The card has been drawn with a newer state since: `shows` is its headline now. */
  | { kind: 'stale'; shows: string };

export class CardVersions {
  constructor(private readonly store: CardVersionStore) {}

  /** Draw `msg` as the card's next state: its version goes up and its buttons carry it. */
  async next<T extends Drawn>(card: CardMessage, msg: T): Promise<T> {
    const version = await this.store.nextCardVersion(card, cardShows(msg));
    return stampVersion(msg, version);
  }

  /**
   * Draw `msg` over the card's current state, at its current version: the "working…" note, or
   * the card put back as it was after an action that did not happen. Buttons pressed on it
   * before stay current.
   */
  async same<T extends Drawn>(card: CardMessage, msg: T): Promise<T> {
    const now = await this.store.getCardVersion(card);
    return stampVersion(msg, now?.version ?? 0);
  }

  /** A card was just posted at `FIRST_VERSION` (stamped before Slack gave it a ts): remember it. */
  async posted(card: CardMessage, msg: Drawn): Promise<void> {
    await this.store.nextCardVersion(card, cardShows(msg));
  }

  /** Whether a press was made on the card as it is now (a button without a version counts as 0). */
  async standing(press: VersionedPress): Promise<PressStanding> {
    const now = await this.store.getCardVersion(press);
    return now && press.version < now.version ? { kind: 'stale', shows: now.shows } : { kind: 'current' };
  }
}

/** The private answer to a press that is not run. */
export type PressReply = Record<string, unknown> & { response_type: 'ephemeral'; replace_original: false; text: string };

/** A press of a card drawn again since: what the card shows now; nothing was sent to VoipNow. */
export function staleReply(shows: string): PressReply {
  return {
    response_type: 'ephemeral',
    replace_original: false,
    text: `That button was on an older version of this card, so nothing was sent to VoipNow. The call now: ${shows}. Press again on the card as it is now.`,
  };
}

/** A second press of the same button on the same version of a card: it runs once. */
export function pressedReply(): PressReply {
  return {
    response_type: 'ephemeral',
    replace_original: false,
    text: 'That action is already running or done from this card (a press runs once); wait for the card to update, or press Refresh.',
  };
}
