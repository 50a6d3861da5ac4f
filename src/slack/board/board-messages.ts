/**
 * The board's Slack messages, one write each: a new card, a card update, a card's audit
 * lines in its thread, a channel notice or alert, a channel's compact summary. What is
 * sent is read at the moment of sending; a write Slack rate-limited is left pending.
 *
 * A write that delivers a stored intent (the store's outbox) reports it delivered once Slack
 * accepted it, with the message it made. A message-creating write is marked attempted first
 * and carries its intent keys as message metadata, so after a crash in between a replay finds
 * the message in Slack instead of posting it twice.
 */
import type { MessageMetadata } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { inWorkspace } from '../workspaces/workspace-tokens.js';
import type { CardRef, IntentRef } from '../../board/output.js';
import type { CallSnapshot } from '../../board/snapshot.js';
import type { CompactMode } from './compact.js';
import { boardCard } from './render.js';
import { type CardVersions, cardShows, stampVersion } from '../cards/card-version.js';
import type { BudgetedSender, SendOptions } from './budgeted-sender.js';

/** The writer's state for one card: its latest snapshot, what was sent, its pending audit lines. */
export interface Slot {
  ref: CardRef;
  snapshot: CallSnapshot;
  version: number;
  sent: number;
  ts?: string;
  /** When the oldest unsent change arrived. */
  dirtySince: number;
  lines: PendingLine[];
  /** The stored intent the latest state delivers. */
  intent?: IntentRef;
  /** The card's version stored with the latest state (its commit drew it); else drawn when sent. */
  drawnAt?: number;
  /** Another replica is posting this card: look again after this time. */
  heldUntil?: number;
}

/** An audit line waiting for its thread, in Slack markup. */
export interface PendingLine {
  text: string;
  intent?: IntentRef;
}

export interface ChannelPost {
  teamId: string;
  channelId: string;
  text: string;
  threadOf?: string; // slot key
  /** The thread when the writer has no slot for the card (a card restored after a restart). */
  threadTs?: string;
  broadcast?: boolean;
  intent?: IntentRef;
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
  /** Message-creating writes of these intents are about to start (stored before they are sent). */
  attempted?(keys: string[]): Promise<void>;
  /** Slack accepted the write of an intent (the message it made); version 0 records the message only. */
  delivered?(intent: IntentRef, messageTs?: string): Promise<void>;
  /** The messages already posted for these intent keys, by key: in the thread `threadTs`, or in the channel. */
  findPosted?(channelId: string, keys: string[], threadTs: string | undefined): Promise<Map<string, string>>;
}

/** Message metadata naming the intents a message delivers (read back by `findPosted`). */
export const INTENT_EVENT = 'callops_board_write';
const metadataOf = (keys: string[]): { metadata: MessageMetadata } | Record<never, never> => (keys.length ? { metadata: { event_type: INTENT_EVENT, event_payload: { keys } } } : {});

/** Slack answered with an error (the write was refused, retrying it changes nothing), as opposed to no answer at all. */
const slackRefused = (err: unknown) => typeof (err as { data?: { error?: unknown } }).data?.error === 'string';

/** How long to wait before looking again at a card another replica is posting. */
const HELD_MS = 2000;

/** What a board card of this state shows in a line (kept with its version). */
export const boardCardShows = (snapshot: CallSnapshot): string => cardShows(boardCard(snapshot));

export const slotKey = (r: CardRef) => `${r.teamId}|${r.channelId}|${r.phoneCallId}`;
export const channelKey = (teamId: string, channelId: string) => `${teamId}|${channelId}`;

export class BoardMessages {
  constructor(
    private readonly client: WebClient,
    private readonly hooks: WriterHooks,
    private readonly sender: BudgetedSender,
    private readonly compact: CompactMode,
    private readonly now: () => number,
  ) {}

  /** A board write's budget (its workspace's) and who hears that Slack refused it. */
  private of(teamId: string, channelId: string): SendOptions {
    return { teamId, refused: (code) => this.hooks.refused?.(channelId, code) };
  }

  async postCard(s: Slot): Promise<void> {
    const claim = await this.hooks.claimPost?.(s.ref);
    if (claim !== undefined && claim !== 'mine' && claim !== 'busy') {
      // Already posted (by a replica that ran the board before): it is updated, never posted twice.
      await this.knownAt(s, claim.ts);
      return;
    }
    const intent = s.intent;
    if (intent?.attempted) {
      // A post had started before (a crash, no answer): if Slack took it, that message is the card.
      // A claim still held is that attempt's own, so it does not stop a post Slack never took.
      const found = (await this.hooks.findPosted?.(s.ref.channelId, [intent.key], undefined))?.get(intent.key);
      if (found) {
        if (claim === 'mine') await this.hooks.releasePost?.(s.ref);
        await this.knownAt(s, found);
        return;
      }
    } else if (claim === 'busy') {
      s.heldUntil = this.now() + HELD_MS;
      return;
    }
    if (intent) await this.attempt([intent]);
    const version = s.version;
    const msg = boardCard(s.snapshot);
    let res: { ts?: string } | undefined;
    try {
      res = await this.sender.send(
        'post',
        s.ref.channelId,
        () =>
          inWorkspace({ teamId: s.ref.teamId }, () =>
            this.client.chat.postMessage({ channel: s.ref.channelId, text: msg.text, blocks: msg.blocks, unfurl_links: false, ...metadataOf(intent ? [intent.key] : []) }),
          ),
        this.of(s.ref.teamId, s.ref.channelId),
      );
    } finally {
      if (claim === 'mine' && !res?.ts) await this.hooks.releasePost?.(s.ref);
    }
    if (!res?.ts) return;
    s.ts = res.ts;
    s.sent = version;
    await this.hooks.versions?.posted({ channelId: s.ref.channelId, messageTs: res.ts }, msg);
    if (intent) await this.hooks.delivered?.(intent, res.ts);
    await this.hooks.posted(s.ref, res.ts);
  }

  /** The card is already in Slack at `ts` (posted before): remember it; its latest state follows as an update. */
  private async knownAt(s: Slot, ts: string): Promise<void> {
    s.ts = ts;
    if (s.intent) await this.hooks.delivered?.({ ...s.intent, version: 0 }, ts);
    await this.hooks.posted(s.ref, ts);
  }

  /** Marks intents attempted, in the store first, before the write that may make their message. */
  private async attempt(intents: IntentRef[]): Promise<void> {
    const fresh = intents.filter((i) => !i.attempted);
    if (fresh.length) await this.hooks.attempted?.(fresh.map((i) => i.key));
    for (const i of intents) i.attempted = true;
  }

  /** Reports intents delivered (errors are the pump's to log). */
  private async delivered(intents: Array<IntentRef | undefined>, ts?: string): Promise<void> {
    for (const i of intents) if (i) await this.hooks.delivered?.(i, ts);
  }

  async updateCard(s: Slot): Promise<void> {
    const version = s.version;
    const intent = s.intent;
    const drawnAt = s.drawnAt;
    const msg = boardCard(s.snapshot);
    try {
      const res = await this.sender.send(
        'update',
        s.ref.channelId,
        async () => {
          // At the version its commit drew; else at the card's next version, drawn only when it is really sent (within its budget).
          const shown = drawnAt !== undefined ? stampVersion(msg, drawnAt) : ((await this.hooks.versions?.next({ channelId: s.ref.channelId, messageTs: s.ts! }, msg)) ?? msg);
          return inWorkspace({ teamId: s.ref.teamId }, () => this.client.chat.update({ channel: s.ref.channelId, ts: s.ts!, text: shown.text, blocks: shown.blocks }));
        },
        this.of(s.ref.teamId, s.ref.channelId),
      );
      if (res) {
        s.sent = Math.max(s.sent, version);
        await this.delivered([intent]);
      }
    } catch (err) {
      s.sent = Math.max(s.sent, version); // a refused update is not retried with the same content
      if (slackRefused(err)) await this.delivered([intent]).catch(() => undefined);
      throw err;
    }
  }

  async postLines(s: Slot): Promise<void> {
    let lines = s.lines.splice(0);
    const tried = lines.flatMap((l) => (l.intent?.attempted ? [l.intent] : []));
    if (tried.length) {
      // Lines whose post had started before a crash: those Slack took are in the thread already.
      const found =
        (await this.hooks.findPosted?.(
          s.ref.channelId,
          tried.map((i) => i.key),
          s.ts,
        )) ?? new Map<string, string>();
      for (const i of tried) if (found.has(i.key)) await this.hooks.delivered?.(i, found.get(i.key));
      lines = lines.filter((l) => !(l.intent && found.has(l.intent.key)));
      if (lines.length === 0) return;
    }
    const intents = lines.flatMap((l) => (l.intent ? [l.intent] : []));
    await this.attempt(intents);
    let res: { ts?: string } | undefined;
    try {
      res = await this.sender.send(
        'post',
        s.ref.channelId,
        () =>
          inWorkspace({ teamId: s.ref.teamId }, () =>
            this.client.chat.postMessage({
              channel: s.ref.channelId,
              thread_ts: s.ts!,
              text: lines.map((l) => l.text).join('\n'),
              unfurl_links: false,
              ...metadataOf(intents.map((i) => i.key)),
            }),
          ),
        this.of(s.ref.teamId, s.ref.channelId),
      );
    } catch (err) {
      // Refused: given up (the same lines would be refused again). No answer: tried again, after a look in the thread.
      if (slackRefused(err)) await this.delivered(intents).catch(() => undefined);
      else s.lines.unshift(...lines);
      throw err;
    }
    if (!res) s.lines.unshift(...lines);
    else await this.delivered(intents, res.ts);
  }

  /** Posts a notice or alert; `requeue` puts it back first in line when Slack rate-limited it. */
  async postNotice(n: ChannelPost, threadTs: string | undefined, requeue: (n: ChannelPost) => void): Promise<void> {
    const intent = n.intent;
    if (intent?.attempted) {
      const found = (await this.hooks.findPosted?.(n.channelId, [intent.key], threadTs))?.get(intent.key);
      if (found) return this.delivered([intent], found);
    }
    if (intent) await this.attempt([intent]);
    const mention = n.threadOf ? await this.hooks.mention() : undefined;
    const text = mention ? `${mention} ${n.text}` : n.text;
    const meta = metadataOf(intent ? [intent.key] : []);
    const args = threadTs
      ? { channel: n.channelId, text, unfurl_links: false, thread_ts: threadTs, reply_broadcast: Boolean(n.broadcast), ...meta }
      : { channel: n.channelId, text, unfurl_links: false, ...meta };
    let res: { ts?: string } | undefined;
    try {
      res = await this.sender.send('post', n.channelId, () => inWorkspace({ teamId: n.teamId }, () => this.client.chat.postMessage(args)), this.of(n.teamId, n.channelId));
    } catch (err) {
      if (slackRefused(err)) await this.delivered([intent]).catch(() => undefined);
      else if (intent) requeue(n);
      throw err;
    }
    if (!res) requeue(n);
    else await this.delivered([intent], res.ts);
  }

  async writeSummary(teamId: string, channelId: string, how: 'post' | 'update' | 'final'): Promise<void> {
    const ch = channelKey(teamId, channelId);
    const msg = this.compact.render(ch, this.hooks.liveCalls(teamId, channelId), how === 'final');
    const ts = this.compact.ts(ch);
    const res = await this.sender.send<{ ts?: string }>(
      how === 'post' ? 'post' : 'update',
      channelId,
      () =>
        inWorkspace({ teamId }, () =>
          how === 'post' || !ts
            ? this.client.chat.postMessage({ channel: channelId, text: msg.text, blocks: msg.blocks })
            : this.client.chat.update({ channel: channelId, ts, text: msg.text, blocks: msg.blocks }),
        ),
      this.of(teamId, channelId),
    );
    if (res) this.compact.written(ch, res.ts ?? ts);
  }
}
