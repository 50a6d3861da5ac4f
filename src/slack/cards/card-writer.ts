/**
 * Call cards (a `/call` card in any channel, a card a button or a follow-up updates) reach
 * Slack here, on the budgets the board's cards spend (budgeted-sender.ts: one update budget
 * per workspace, one post budget per channel; after a 429 nothing goes until Retry-After, then
 * the latest state).
 *
 * Per message only the latest state waits: a newer state replaces one not sent yet, and whoever
 * waited for the older one is answered when the newer one is written. A transient state (the
 * "working…" note) is never waited for and never stays on top of a final one (an action's
 * result): asked for while a final state waits, it is dropped; a final state asked for while a
 * note is on its way goes at once, and again after the note. A card is drawn (its version
 * stamped) when first sent, so versions follow the order Slack gets them in. A card Slack
 * refuses (`invalid_blocks`, `msg_too_long`) is sent again as the minimal card; a message gone
 * from the channel is replaced through the response_url when there is one.
 *
 * A message's entry lives only while it has writes waiting or under way.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../log.js';
import type { BudgetedSender } from '../board/budgeted-sender.js';
import type { TokenBucket } from '../board/budget.js';
import { currentWorkspace, inWorkspace } from '../workspaces/workspace-tokens.js';
import { minimalCard, type Respond, type SlackMessage } from './slack-message.js';

/** Slack refused the card itself: a smaller one will do. */
const CARD_REFUSED = new Set(['invalid_blocks', 'msg_too_long', 'invalid_blocks_format', 'too_many_attachments', 'invalid_arguments']);
/** The message cannot be updated any more (deleted, or the bot is out of the channel). */
export const GONE = new Set(['message_not_found', 'cant_update_message', 'channel_not_found', 'not_in_channel', 'is_archived']);
/** Posts tried at most this often when Slack keeps answering 429. */
const POST_TRIES = 5;

export function slackErrorCode(err: unknown): string | undefined {
  return (err as { data?: { error?: string } }).data?.error;
}

/** How a write went: `refused` names Slack's error when only the minimal card could be shown. */
export interface Written {
  refused?: string;
  viaResponseUrl?: boolean;
}

/** A new state of a card message. */
export interface CardUpdate {
  teamId: string;
  channelId: string;
  ts: string;
  /** Draws the message when it is first sent; `next`: a new state (its version goes up), else the current one again. */
  draw: (next: boolean) => Promise<SlackMessage>;
  /** A new state (false: the "working…" note, or the card put back as it was). */
  next: boolean;
  transient?: boolean;
  /** Where to replace the message when chat.update cannot. */
  respond?: Respond;
}

interface Waiter {
  resolve: (w: Written) => void;
  reject: (err: unknown) => void;
}

interface Job extends CardUpdate {
  msg?: SlackMessage;
  /** Puts the latest final state back over a note that landed after it. */
  again?: boolean;
  waiters: Waiter[];
}

interface Slot {
  pending?: Job;
  finalBusy: boolean;
  transients: number;
  /** Final writes started so far. */
  finalsStarted: number;
  /** The last final state written, to put back over a late note. */
  lastFinal?: SlackMessage;
  timer?: NodeJS.Timeout;
}

/** Runs a call for `teamId`'s token, keeping the current work's own workspace (and its org) when it is that one. */
function forWorkspace<T>(teamId: string, fn: () => T): T {
  return teamId && currentWorkspace()?.teamId !== teamId ? inWorkspace({ teamId }, fn) : fn();
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(1, ms)).unref());

export class CardWriter {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly sender: BudgetedSender,
    /** The client card writes go out on (no retries of its own: 429s come back here). */
    private readonly client: () => WebClient,
    private readonly logger: Logger,
  ) {}

  /** Posts a new card within the channel's post budget; resolves with its ts (Slack errors are thrown). */
  async post(teamId: string, channelId: string, msg: SlackMessage, onRefused: (code: string) => void): Promise<{ ts?: string }> {
    const client = this.client();
    const send = (m: SlackMessage) =>
      this.sendWhenReady(this.sender.postBucket(channelId), 'post', channelId, teamId, () =>
        forWorkspace(teamId, () => client.chat.postMessage({ channel: channelId, text: m.text, blocks: m.blocks, unfurl_links: false })),
      );
    try {
      return await send(msg);
    } catch (err) {
      const code = slackErrorCode(err);
      if (!code || !CARD_REFUSED.has(code)) throw err;
      this.logger.warn('Slack refused a card; sending a minimal one', { error: code, blocks: msg.blocks.length });
      onRefused(code);
      return send(minimalCard(msg));
    }
  }

  /** A new state of a card; resolves once it (or a newer state) is in Slack. Transient states resolve at once when dropped. */
  update(u: CardUpdate): Promise<Written> {
    const key = `${u.channelId}:${u.ts}`;
    const slot = this.slot(key);
    return new Promise<Written>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      const waiting = slot.pending;
      if (u.transient) {
        if (waiting && !waiting.transient) {
          resolve({}); // a final state is on its way: the note would only be covered
          return;
        }
        for (const w of waiting?.waiters ?? []) w.resolve({});
        slot.pending = { ...u, waiters: [waiter] };
      } else {
        // A state not drawn yet that was new stays new in the one that replaces it.
        const next = u.next || Boolean(waiting && !waiting.transient && !waiting.msg && waiting.next);
        const earlier = waiting && !waiting.transient ? waiting.waiters : [];
        for (const w of waiting?.transient ? waiting.waiters : []) w.resolve({});
        slot.pending = { ...u, next, waiters: [...earlier, waiter] };
      }
      this.pump(key, slot);
    });
  }

  /** Messages with writes waiting or under way. */
  get size(): number {
    return this.slots.size;
  }

  private slot(key: string): Slot {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { finalBusy: false, transients: 0, finalsStarted: 0 };
      this.slots.set(key, slot);
    }
    return slot;
  }

  private pump(key: string, slot: Slot): void {
    const job = slot.pending;
    if (!job) {
      if (!slot.finalBusy && slot.transients === 0 && this.slots.get(key) === slot) this.slots.delete(key);
      return;
    }
    // One final write at a time per message; a note waiting goes after it too.
    if (slot.finalBusy || slot.timer) return;
    const wait = this.sender.updateBucket(job.teamId).waitMs();
    if (wait > 0) {
      slot.timer = setTimeout(() => {
        slot.timer = undefined;
        this.pump(key, slot);
      }, wait);
      slot.timer.unref();
      return;
    }
    slot.pending = undefined;
    if (job.transient) void this.runTransient(key, slot, job);
    else void this.runFinal(key, slot, job);
  }

  private async runFinal(key: string, slot: Slot, job: Job): Promise<void> {
    slot.finalBusy = true;
    slot.finalsStarted++;
    try {
      if (job.again) job.msg = slot.lastFinal;
      if (!job.msg && !job.again) job.msg = await job.draw(job.next);
      const written = job.msg ? await this.send(job, job.msg) : {};
      if (written === undefined) this.again(slot, job);
      else {
        if (job.msg) slot.lastFinal = written.refused ? minimalCard(job.msg) : job.msg;
        for (const w of job.waiters) w.resolve(written);
      }
    } catch (err) {
      if (job.again) this.logger.warn('could not put a card back over its note', { error: slackErrorCode(err) ?? String(err) });
      // An older state is never put back over a note that came after it.
      else slot.lastFinal = undefined;
      for (const w of job.waiters) w.reject(err);
    } finally {
      slot.finalBusy = false;
      this.pump(key, slot);
    }
  }

  private async runTransient(key: string, slot: Slot, job: Job): Promise<void> {
    slot.transients++;
    const finalsBefore = slot.finalsStarted;
    try {
      const msg = job.msg ?? (await job.draw(false));
      await this.send(job, msg); // a rate-limited note is not tried again: the result follows soon
      for (const w of job.waiters) w.resolve({});
    } catch (err) {
      for (const w of job.waiters) w.reject(err);
    } finally {
      slot.transients--;
      // A final state went out meanwhile: the note may have landed on top of it.
      if (slot.finalsStarted > finalsBefore && (!slot.pending || slot.pending.transient)) {
        for (const w of slot.pending?.waiters ?? []) w.resolve({});
        slot.pending = { ...job, transient: false, next: false, again: true, waiters: [] };
      }
      this.pump(key, slot);
    }
  }

  /** A final write Slack rate-limited goes again after Retry-After, unless a newer state replaced it meanwhile. */
  private again(slot: Slot, job: Job): void {
    const waiting = slot.pending;
    if (waiting && !waiting.transient) {
      waiting.waiters.push(...job.waiters);
      return;
    }
    for (const w of waiting?.waiters ?? []) w.resolve({});
    slot.pending = job;
  }

  /** One state to Slack (the minimal card when the full one is refused); undefined when rate-limited. */
  private async send(job: Job, msg: SlackMessage): Promise<Written | undefined> {
    const client = this.client();
    const update = (m: SlackMessage) =>
      this.sender.send('update', job.channelId, () => forWorkspace(job.teamId, () => client.chat.update({ channel: job.channelId, ts: job.ts, text: m.text, blocks: m.blocks })), {
        teamId: job.teamId,
        what: 'card',
      });
    let refused: string | undefined;
    try {
      try {
        return (await update(msg)) && {};
      } catch (err) {
        const code = slackErrorCode(err);
        if (!code || !CARD_REFUSED.has(code)) throw err;
        this.logger.warn('Slack refused a card; sending a minimal one', { error: code, blocks: msg.blocks.length });
        refused = code;
        return (await update(minimalCard(msg))) && { refused };
      }
    } catch (err) {
      const code = slackErrorCode(err);
      if (!job.respond || !code || !GONE.has(code)) throw err;
      const shown = refused ? minimalCard(msg) : msg;
      await job.respond({ replace_original: true, text: shown.text, blocks: shown.blocks });
      return { viaResponseUrl: true, ...(refused && { refused }) };
    }
  }

  /** Waits for the budget, sends; after a 429, waits for Retry-After and tries again (a few times). */
  private async sendWhenReady<T extends { ts?: string }>(bucket: TokenBucket, kind: 'post' | 'update', channelId: string, teamId: string, call: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      for (let w = bucket.waitMs(); w > 0; w = bucket.waitMs()) await sleep(w);
      const res = await this.sender.send(kind, channelId, call, { teamId, what: 'card' });
      if (res) return res;
      if (tries >= POST_TRIES) throw Object.assign(new Error('Slack kept rate-limiting a card'), { data: { error: 'ratelimited' } });
    }
  }
}
