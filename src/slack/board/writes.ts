/**
 * The board's Slack messages, one write each: a new card, a card update, a card's audit
 * lines in its thread, a channel notice or alert, a channel's compact summary. What is
 * sent is read at the moment of sending; a write Slack rate-limited is left pending.
 */
import type { WebClient } from '@slack/web-api';
import { inWorkspace } from '../workspace-tokens.js';
import type { CardRef } from '../../board/board.js';
import type { CallSnapshot } from '../../board/snapshot.js';
import type { CompactMode } from './compact.js';
import { boardCard } from './render.js';
import type { CardVersions } from '../card-version.js';
import type { WriteSender } from './write-sender.js';

/** The writer's state for one card: its latest snapshot, what was sent, its pending audit lines. */
export interface Slot {
  ref: CardRef;
  snapshot: CallSnapshot;
  version: number;
  sent: number;
  ts?: string;
  /** When the oldest unsent change arrived. */
  dirtySince: number;
  lines: string[];
  /** Another replica is posting this card: look again after this time. */
  heldUntil?: number;
}

export interface ChannelPost {
  teamId: string;
  channelId: string;
  text: string;
  threadOf?: string; // slot key
  /** The thread when the writer has no slot for the card (a card restored after a restart). */
  threadTs?: string;
  broadcast?: boolean;
}

export interface WriterHooks {
  posted(ref: CardRef, ts: string): Promise<void>;
  liveCalls(teamId: string, channelId: string): CallSnapshot[];
  /** Mention of the supervisors for alerts ("<!subteam^S1>"), if any. */
  mention(): Promise<string | undefined>;
  /**
   * Before posting a new card: the message it already has (posted by another replica), 'mine'
   * when this writer may post it, 'busy' when another replica is posting it right now.
   */
  claimPost?(ref: CardRef): Promise<{ ts: string } | 'mine' | 'busy'>;
  /** The post claimed with 'mine' did not happen (429, error): others may post it. */
  releasePost?(ref: CardRef): Promise<void>;
  /** Slack refused a write to this channel with this error code. */
  refused?(channelId: string, code: string): void;
  /** A card's versions: a new card is posted at the first one, each update is drawn at the next. */
  versions?: Pick<CardVersions, 'next' | 'posted'>;
  /** After each write: how long the oldest change not yet in Slack has waited, per channel (metrics). */
  staleness?(channelId: string, seconds: number): void;
}

/** How long to wait before looking again at a card another replica is posting. */
const HELD_MS = 2000;

export const slotKey = (r: CardRef) => `${r.teamId}|${r.channelId}|${r.phoneCallId}`;
export const channelKey = (teamId: string, channelId: string) => `${teamId}|${channelId}`;

export class BoardWrites {
  constructor(
    private readonly client: WebClient,
    private readonly hooks: WriterHooks,
    private readonly sender: WriteSender,
    private readonly compact: CompactMode,
    private readonly now: () => number,
  ) {}

  async postCard(s: Slot): Promise<void> {
    const claim = await this.hooks.claimPost?.(s.ref);
    if (claim === 'busy') {
      s.heldUntil = this.now() + HELD_MS;
      return;
    }
    if (claim !== undefined && claim !== 'mine') {
      // Already posted (by a replica that ran the board before): it is updated, never posted twice.
      s.ts = claim.ts;
      await this.hooks.posted(s.ref, claim.ts);
      return;
    }
    const version = s.version;
    const msg = boardCard(s.snapshot);
    let res: { ts?: string } | undefined;
    try {
      res = await this.sender.send('post', s.ref.channelId, () =>
        inWorkspace({ teamId: s.ref.teamId }, () => this.client.chat.postMessage({ channel: s.ref.channelId, text: msg.text, blocks: msg.blocks, unfurl_links: false })),
      );
    } finally {
      if (claim === 'mine' && !res?.ts) await this.hooks.releasePost?.(s.ref);
    }
    if (!res?.ts) return;
    s.ts = res.ts;
    s.sent = version;
    await this.hooks.versions?.posted({ channelId: s.ref.channelId, messageTs: res.ts }, msg);
    await this.hooks.posted(s.ref, res.ts);
  }

  async updateCard(s: Slot): Promise<void> {
    const version = s.version;
    const msg = boardCard(s.snapshot);
    try {
      const res = await this.sender.send(
        'update',
        s.ref.channelId,
        async () => {
          // Drawn at the card's next version only when it is really sent (within its budget).
          const shown = (await this.hooks.versions?.next({ channelId: s.ref.channelId, messageTs: s.ts! }, msg)) ?? msg;
          return inWorkspace({ teamId: s.ref.teamId }, () => this.client.chat.update({ channel: s.ref.channelId, ts: s.ts!, text: shown.text, blocks: shown.blocks }));
        },
        s.ref.teamId,
      );
      if (res) s.sent = Math.max(s.sent, version);
    } catch (err) {
      s.sent = Math.max(s.sent, version); // a refused update is not retried with the same content
      throw err;
    }
  }

  async postLines(s: Slot): Promise<void> {
    const lines = s.lines.splice(0);
    const res = await this.sender.send('post', s.ref.channelId, () =>
      inWorkspace({ teamId: s.ref.teamId }, () => this.client.chat.postMessage({ channel: s.ref.channelId, thread_ts: s.ts!, text: lines.join('\n'), unfurl_links: false })),
    );
    if (!res) s.lines.unshift(...lines);
  }

  /** Posts a notice or alert; `requeue` puts it back first in line when Slack rate-limited it. */
  async postNotice(n: ChannelPost, threadTs: string | undefined, requeue: (n: ChannelPost) => void): Promise<void> {
    const mention = n.threadOf ? await this.hooks.mention() : undefined;
    const text = mention ? `${mention} ${n.text}` : n.text;
    const args = threadTs
      ? { channel: n.channelId, text, unfurl_links: false, thread_ts: threadTs, reply_broadcast: Boolean(n.broadcast) }
      : { channel: n.channelId, text, unfurl_links: false };
    const res = await this.sender.send('post', n.channelId, () => inWorkspace({ teamId: n.teamId }, () => this.client.chat.postMessage(args)));
    if (!res) requeue(n);
  }

  async writeSummary(teamId: string, channelId: string, how: 'post' | 'update' | 'final'): Promise<void> {
    const ch = channelKey(teamId, channelId);
    const msg = this.compact.render(ch, this.hooks.liveCalls(teamId, channelId), how === 'final');
    const ts = this.compact.ts(ch);
    const res = await this.sender.send(
      how === 'post' ? 'post' : 'update',
      channelId,
      () =>
        inWorkspace({ teamId }, () =>
          how === 'post' || !ts
            ? this.client.chat.postMessage({ channel: channelId, text: msg.text, blocks: msg.blocks })
            : this.client.chat.update({ channel: channelId, ts, text: msg.text, blocks: msg.blocks }),
        ),
      teamId,
    );
    if (res) this.compact.written(ch, res.ts ?? ts);
  }
}
