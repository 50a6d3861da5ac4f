/**
 * Slack Calls for PBX calls placed from Slack (`/call dial`, Call back, Call
 * this number): `calls.add` with the PBX call id as `external_unique_id`, the
 * caller as a Slack user and the other party as a linked Slack user when one
 * has that extension (else as the number), shown in the conversation where it
 * was started; `calls.end` when the PBX call is gone from the dialer's
 * extension (the phone lines' reconciliation, so a lost hangup event does not
 * leave it open). The store holds the open ones: any replica may end them, once.
 * As the PBX call's legs come and go (the far end answers, a transfer, a
 * supervisor barging in), each change of who is connected becomes one
 * `calls.participants.add`/`remove` and, when whom the dialer talks to changes,
 * one `calls.update` of the title: a store claim keyed by the change, so of
 * several replicas reading the same line one tells Slack.
 */
import type { webApi } from '@slack/bolt';
import type { CallUser } from '@slack/types';
import type { PhoneLine } from '../../board/phone-lines.js';
import type { CallSnapshot } from '../../board/snapshot.js';
import type { Logger } from '../../log.js';
import type { SlackCall, Store } from '../../store/types.js';
import { callUserOf, connectedParties, farEnd, partiesChange, placedParties } from './slack-call-parties.js';

/** A Slack Call whose PBX call was never listed is ended after this long (it never came up, or ended before a read). */
const UNSEEN_END_MS = 60_000;
/** A Slack Call still open after this long is ended whatever its line says (its dialer unlinked, say). */
const MAX_OPEN_MS = 12 * 3600_000;
/** Open Slack Calls are read from the store at most this often (lines are read every few seconds), or when a line changes. */
const OPEN_CACHE_MS = 5000;
/** A change of a Slack Call's parties is claimed for longer than a Slack Call stays open. */
const CHANGE_CLAIM_MS = MAX_OPEN_MS + 3600_000;

/** Who a Slack Call shows, as this replica last saw it. */
export interface Parties {
  parties: string[];
  /** Someone answered (before that, the parties are the ones dialled). */
  answered: boolean;
}

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
  /** Each open Slack Call's parties as last seen here, by PBX call id. */
  private readonly parties = new Map<string, Parties>();

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
    const slackUserOf = await this.slackUsers(p.teamId, p.userId, p.extension);
    const parties = placedParties(p.extension, p.destination);
    // The dialer first, then whom they dialled.
    const users: CallUser[] = [{ slack_id: p.userId }, ...parties.filter((x) => x !== p.extension).map((x) => callUserOf(x, slackUserOf))];
    const started = this.deps.now();
    const res = await client().calls.add(callsAddArgs(p, users, started));
    const slackCallId = (res as { call?: { id?: string } }).call?.id;
    if (!slackCallId) return;
    this.parties.set(p.phoneCallId, { parties, answered: false });
    await store.saveSlackCall({ teamId: p.teamId, phoneCallId: p.phoneCallId, slackCallId, slackUserId: p.userId, extension: p.extension, createdAt: new Date(started) });
    this.open = undefined;
    this.deps.follow({ teamId: p.teamId, userId: p.userId, extension: p.extension });
    if (p.channelId) {
      await client()
        .chat.postMessage({ channel: p.channelId, text: `Call to ${p.destination}`, blocks: [{ type: 'call', call_id: slackCallId }] as never })
        .catch((err: unknown) => this.deps.logger.warn('could not show the Slack Call', { error: err instanceof Error ? err.message : String(err) }));
    }
  }

  /** A line was read: its open Slack Calls whose PBX call is gone are ended, the others show who is connected. */
  async reconcile(line: PhoneLine, liveIds: readonly string[], snapshots: readonly CallSnapshot[] = [], changed = false): Promise<void> {
    const live = new Set(liveIds);
    for (const id of live) this.seen.add(id);
    const now = this.deps.now();
    // A change on the line (a call answered, say) may be of a Slack Call another replica placed since the last look.
    if (!this.open || changed || now - this.open.at > OPEN_CACHE_MS) this.open = { at: now, calls: this.deps.store.listSlackCalls() };
    const all = await this.open.calls;
    for (const c of all) if (now - c.createdAt.getTime() > MAX_OPEN_MS) await this.end(c);
    const open = all.filter((c) => c.teamId === line.teamId && c.slackUserId === line.userId && c.extension === line.extension && now - c.createdAt.getTime() <= MAX_OPEN_MS);
    for (const c of open) {
      if (live.has(c.phoneCallId)) {
        const call = snapshots.find((x) => x.id === c.phoneCallId);
        if (call) await this.follow(c, call);
        continue;
      }
      if (!this.seen.has(c.phoneCallId) && this.deps.now() - c.createdAt.getTime() < UNSEEN_END_MS) continue;
      await this.end(c);
    }
  }

  /** The PBX call's connected parties changed since last seen: tell Slack once, whichever replica saw it. */
  private async follow(c: SlackCall, call: CallSnapshot): Promise<void> {
    const now = connectedParties(call);
    if (!now) return;
    const before = this.parties.get(c.phoneCallId) ?? { parties: placedParties(c.extension, call.called), answered: false };
    const after: Parties = { parties: now, answered: true };
    if (before.answered && before.parties.join() === now.join()) return;
    this.parties.set(c.phoneCallId, after);
    const key = `slack-call-parties:${c.teamId}:${c.phoneCallId}:${signature(before)}>${signature(after)}`;
    const at = this.deps.now();
    if (!(await this.deps.store.claimOnce(key, new Date(at + CHANGE_CLAIM_MS), new Date(at)))) return;
    const { joined, left } = partiesChange(before.parties, now);
    const slackUserOf = await this.slackUsers(c.teamId, c.slackUserId, c.extension);
    const api = this.deps.client().calls;
    const warn = (what: string) => (err: unknown) => this.deps.logger.warn(`could not ${what} the Slack Call`, { error: err instanceof Error ? err.message : String(err) });
    // Both ends of a change name a party by its Slack user or number: a number that became a linked user's is the same party.
    const users = (list: string[]) => list.map((p) => callUserOf(p, slackUserOf)).filter((u) => !('slack_id' in u && u.slack_id === c.slackUserId));
    const add = users(joined);
    const remove = users(left);
    if (add.length) await api.participants.add({ id: c.slackCallId, users: add }).catch(warn('add participants to'));
    if (remove.length) await api.participants.remove({ id: c.slackCallId, users: remove }).catch(warn('remove participants from'));
    const title = titleOf(after, c.extension);
    if (title !== titleOf(before, c.extension)) await api.update({ id: c.slackCallId, title }).catch(warn('update'));
  }

  /** Who has an extension, as a Slack user: the dialer's own, and linked users' (in the dialer's workspace). */
  private async slackUsers(teamId: string, dialer: string, dialerExtension: string): Promise<(party: string) => string | undefined> {
    const lines = (await this.deps.store.listLinkedLines()).filter((l) => l.teamId === teamId && l.slackUserId !== dialer);
    return (party) => (party === dialerExtension ? dialer : lines.find((l) => l.extension === party)?.slackUserId);
  }

  private async end(c: SlackCall): Promise<void> {
    // Taken from the store first: of several replicas, one ends it.
    const mine = await this.deps.store.takeSlackCall(c.teamId, c.phoneCallId);
    this.seen.delete(c.phoneCallId);
    this.parties.delete(c.phoneCallId);
    this.open = undefined;
    if (!mine) return;
    const duration = Math.max(0, Math.round((this.deps.now() - mine.createdAt.getTime()) / 1000));
    await this.deps
      .client()
      .calls.end({ id: mine.slackCallId, duration })
      .catch((err: unknown) => this.deps.logger.warn('could not end the Slack Call', { error: err instanceof Error ? err.message : String(err) }));
  }
}

/** What `calls.add` registers for a call placed from Slack (also drawn in the README). */
export function callsAddArgs(p: PlacedCall, users: CallUser[], startedMs: number) {
  return {
    external_unique_id: p.phoneCallId,
    external_display_id: p.destination,
    // A PBX call has nothing to join in a browser: the link opens the conversation with its card.
    join_url: `https://slack.com/app_redirect?channel=${encodeURIComponent(p.channelId ?? p.userId)}`,
    title: titleOf({ parties: placedParties(p.extension, p.destination), answered: false }, p.extension),
    created_by: p.userId,
    date_start: Math.floor(startedMs / 1000),
    users,
  };
}

const signature = (p: Parties) => `${p.answered ? '' : '~'}${p.parties.join(',')}`;

/** "Call to 5550999" while it rings, "Call with 5550999" once answered (or how many are on it). */
export function titleOf(p: Parties, dialerExtension: string): string {
  const far = farEnd(p.parties, dialerExtension);
  if (!p.answered) return `Call to ${far ?? p.parties.filter((x) => x !== dialerExtension).join(', ')}`;
  return far ? `Call with ${far}` : `Call with ${p.parties.length - 1} parties`;
}
