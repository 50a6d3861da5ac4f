/**
 * Slack Calls for PBX calls placed from Slack (`/call dial`, Call back, Call
 * this number): `calls.add` with the PBX call id as `external_unique_id`, the
 * caller as a Slack user and the other party as a linked Slack user when one
 * has that extension (else as the number), shown in the conversation where it
 * was started; `calls.end` when the PBX call is gone from the dialer's
 * extension (the phone lines' reconciliation, so a lost hangup event does not
 * leave it open). The store holds the open ones: any replica may end them, once.
 */
import type { webApi } from '@slack/bolt';
import type { CallUser } from '@slack/types';
import type { PhoneLine } from '../../board/phone-lines.js';
import type { Logger } from '../../log.js';
import type { SlackCall, Store } from '../../store/types.js';

/** A Slack Call whose PBX call was never listed is ended after this long (it never came up, or ended before a read). */
const UNSEEN_END_MS = 60_000;
/** A Slack Call still open after this long is ended whatever its line says (its dialer unlinked, say). */
const MAX_OPEN_MS = 12 * 3600_000;
/** Open Slack Calls are read from the store at most this often (lines are read every few seconds). */
const OPEN_CACHE_MS = 5000;

export interface PlacedCall {
  teamId: string;
  userId: string;
  phoneCallId: string;
  /** The dialer's extension (their phone rang first). */
  extension: string;
  destination: string;
  /** The conversation where it was started (the call is shown there). */
  channelId?: string;
}

export class SlackCalls {
  /** PBX calls each line has listed at least once (ended only after being seen, or after UNSEEN_END_MS). */
  private readonly seen = new Set<string>();
  private open: { at: number; calls: Promise<SlackCall[]> } | undefined;

  constructor(
    private readonly deps: {
      store: Store;
      client: () => webApi.WebClient;
      logger: Logger;
      now: () => number;
      /** Read the dialer's extension from now on (until the call ends). */
      follow: (line: PhoneLine) => void;
    },
  ) {}

  /** A call was placed from Slack: register it with Slack's Calls API and show it where it was started. */
  async placed(p: PlacedCall): Promise<void> {
    const { store, client } = this.deps;
    const users: CallUser[] = [{ slack_id: p.userId }];
    const other = (await store.listLinkedLines()).find((l) => l.teamId === p.teamId && l.extension === p.destination && l.slackUserId !== p.userId);
    users.push(other ? { slack_id: other.slackUserId } : { external_id: p.destination, display_name: p.destination });
    const started = this.deps.now();
    const res = await client().calls.add({
      external_unique_id: p.phoneCallId,
      external_display_id: p.destination,
      // A PBX call has nothing to join in a browser: the link opens the conversation with its card.
      join_url: `https://slack.com/app_redirect?channel=${encodeURIComponent(p.channelId ?? p.userId)}`,
      title: `Call to ${p.destination}`,
      created_by: p.userId,
      date_start: Math.floor(started / 1000),
      users,
    });
    const slackCallId = (res as { call?: { id?: string } }).call?.id;
    if (!slackCallId) return;
    await store.saveSlackCall({ teamId: p.teamId, phoneCallId: p.phoneCallId, slackCallId, slackUserId: p.userId, extension: p.extension, createdAt: new Date(started) });
    this.open = undefined;
    this.deps.follow({ teamId: p.teamId, userId: p.userId, extension: p.extension });
    if (p.channelId) {
      await client()
        .chat.postMessage({ channel: p.channelId, text: `Call to ${p.destination}`, blocks: [{ type: 'call', call_id: slackCallId }] as never })
        .catch((err: unknown) => this.deps.logger.warn('could not show the Slack Call', { error: err instanceof Error ? err.message : String(err) }));
    }
  }

  /** A line was read: its open Slack Calls whose PBX call is gone are ended. */
  async reconcile(line: PhoneLine, liveIds: readonly string[]): Promise<void> {
    const live = new Set(liveIds);
    for (const id of live) this.seen.add(id);
    const now = this.deps.now();
    if (!this.open || now - this.open.at > OPEN_CACHE_MS) this.open = { at: now, calls: this.deps.store.listSlackCalls() };
    const all = await this.open.calls;
    for (const c of all) if (now - c.createdAt.getTime() > MAX_OPEN_MS) await this.end(c);
    const open = all.filter((c) => c.teamId === line.teamId && c.slackUserId === line.userId && c.extension === line.extension && now - c.createdAt.getTime() <= MAX_OPEN_MS);
    for (const c of open) {
      if (live.has(c.phoneCallId)) continue;
      if (!this.seen.has(c.phoneCallId) && this.deps.now() - c.createdAt.getTime() < UNSEEN_END_MS) continue;
      await this.end(c);
    }
  }

  private async end(c: SlackCall): Promise<void> {
    // Taken from the store first: of several replicas, one ends it.
    const mine = await this.deps.store.takeSlackCall(c.teamId, c.phoneCallId);
    this.seen.delete(c.phoneCallId);
    this.open = undefined;
    if (!mine) return;
    const duration = Math.max(0, Math.round((this.deps.now() - mine.createdAt.getTime()) / 1000));
    await this.deps
      .client()
      .calls.end({ id: mine.slackCallId, duration })
      .catch((err: unknown) => this.deps.logger.warn('could not end the Slack Call', { error: err instanceof Error ? err.message : String(err) }));
  }
}
