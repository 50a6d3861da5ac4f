/**
 * A phone user's own day in Slack, on the board's machinery: the phone lines
 * (board/phone-lines.ts) read each linked user's extension with their own
 * token, and what they find becomes a missed-call DM (one per PBX call, however
 * many replicas read it: a store claim keyed by the call id), a redrawn App Home
 * for users who have it open, and `calls.end` for the Slack Calls of calls placed
 * from Slack.
 */
import type { webApi } from '@slack/bolt';
import type { MissedCall } from '../../board/line-calls.js';
import { PhoneLines, type PhoneLine } from '../../board/phone-lines.js';
import { DEFAULT_POLL_TIMING, type PollTiming } from '../../board/poller.js';
import type { Background } from '../../background.js';
import type { Logger } from '../../log.js';
import type { Store } from '../../store/types.js';
import { LinkRequired, type Accounts, type SlackUser } from '../users/accounts.js';
import type { AfterAction } from '../actions/action-request.js';
import { missedCallMessage } from './missed-call-message.js';
import { SlackCalls } from './slack-calls.js';

/** A missed call is claimed for this long (a replica that reads it later sends nothing). */
const MISSED_CLAIM_MS = 7 * 24 * 3600_000;
/** App Home is redrawn on changes for this long after the user last opened it. */
const HOME_OPEN_MS = 15 * 60_000;
/** App Home is redrawn at most once a second per user (views.publish budget); changes meanwhile make one more redraw. */
const HOME_REDRAW_GAP_MS = 1000;
/** An idle line is read at least this often: a call that rings out between two reads would go unseen. */
const LINE_IDLE_MAX_MS = 5000;

export interface SlackPhoneOptions {
  store: Store;
  accounts: Accounts;
  logger: Logger;
  background: Background;
  client: () => webApi.WebClient;
  timing?: Partial<PollTiming>;
  now?: () => number;
  /** Voicemail extensions (a call sent there counts as unanswered). */
  isVoicemail?: (extension: string) => boolean;
}

export class SlackPhone {
  readonly lines: PhoneLines;
  readonly calls: SlackCalls;
  /** Redraws a user's App Home (set by home.ts). */
  redrawHome: ((user: SlackUser) => Promise<void>) | undefined;
  private readonly homeOpen = new Map<string, number>();
  private readonly dmChannels = new Map<string, string>();
  private readonly redraws = new Map<string, { last: number; timer?: NodeJS.Timeout }>();
  private readonly now: () => number;

  constructor(private readonly opts: SlackPhoneOptions) {
    this.now = opts.now ?? Date.now;
    const timing = { ...DEFAULT_POLL_TIMING, ...opts.timing };
    this.lines = new PhoneLines({
      store: opts.store,
      clientFor: async (owner) => (await opts.accounts.clientFor(owner)).client,
      isLinkProblem: (err) => err instanceof LinkRequired,
      timing: { ...timing, idleMs: Math.min(timing.idleMs, LINE_IDLE_MAX_MS) },
      now: this.now,
      ...(opts.isVoicemail && { isVoicemail: opts.isVoicemail }),
      log: (m, f) => opts.logger.warn(m, f),
    });
    this.calls = new SlackCalls({ store: opts.store, client: opts.client, logger: opts.logger, now: this.now, follow: (line) => this.lines.follow(line) });
    this.lines.setOutput({
      read: async (line, result, liveIds) => {
        for (const m of result.missed) this.track(this.missed(line, m));
        this.track(this.calls.reconcile(line, liveIds, result.live, result.changed));
        if (result.changed && this.isHomeOpen(line)) this.scheduleRedraw({ teamId: line.teamId, userId: line.userId });
      },
    });
  }

  start(): Promise<void> {
    return this.lines.start();
  }

  /**
   * After each action from Slack: a call sent to voicemail is, on its lines, unanswered (the
   * mailbox picked up); a call placed from Slack becomes a Slack Call where it was started.
   */
  readonly afterAction: AfterAction = async ({ user, cmd, outcome, channelId }) => {
    if (outcome.action === 'voicemail') this.lines.sentToVoicemail(outcome.phoneCallId);
    // The pipeline hands every completed call action here; a dial's command carries its destination.
    const dial = cmd as unknown as { kind: string; destination?: string };
    if (outcome.action !== 'dial' || dial.kind !== 'dial' || !dial.destination) return;
    await this.calls.placed({
      teamId: user.teamId,
      userId: user.userId,
      phoneCallId: outcome.phoneCallId,
      extension: outcome.extension,
      destination: dial.destination,
      ...(channelId && { channelId }),
    });
  };

  stop(): void {
    this.lines.stop();
    for (const r of this.redraws.values()) if (r.timer) clearTimeout(r.timer);
    this.redraws.clear();
  }

  /** Links changed (linked, unlinked, another extension): read the right lines. */
  changed(): void {
    this.track(this.lines.sync());
  }

  /** The user opened App Home (`channel`: the app's DM with them, from the event): keep it current for a while. */
  homeOpened(user: SlackUser, channel?: string): void {
    this.homeOpen.set(`${user.teamId}|${user.userId}`, this.now());
    if (channel) this.dmChannels.set(`${user.teamId}|${user.userId}`, channel);
  }

  /** The app's DM channel with the user (D...), when App Home told it: cards posted there can be updated later. */
  dmChannel(user: SlackUser): string | undefined {
    return this.dmChannels.get(`${user.teamId}|${user.userId}`);
  }

  /** Redraw the user's Home now, or once when the gap since the last redraw is over. */
  private scheduleRedraw(user: SlackUser): void {
    const key = `${user.teamId}|${user.userId}`;
    const r = this.redraws.get(key) ?? { last: Number.NEGATIVE_INFINITY };
    this.redraws.set(key, r);
    if (r.timer) return;
    const redraw = () => {
      r.last = this.now();
      this.track(this.redrawHome?.(user) ?? Promise.resolve());
    };
    const wait = r.last + HOME_REDRAW_GAP_MS - this.now();
    if (wait <= 0) {
      redraw();
      return;
    }
    r.timer = setTimeout(() => {
      r.timer = undefined;
      redraw();
    }, wait);
    r.timer.unref();
  }

  private isHomeOpen(user: { teamId: string; userId: string }): boolean {
    const at = this.homeOpen.get(`${user.teamId}|${user.userId}`);
    return at !== undefined && this.now() - at < HOME_OPEN_MS;
  }

  /** One DM per missed call, to the user whose linked extension it rang on, unless they turned them off. */
  private async missed(line: PhoneLine, m: MissedCall): Promise<void> {
    const account = await this.opts.store.getLinkedAccount(line.teamId, line.userId);
    if (!account || account.extension !== line.extension || account.missedCallDms === false) return;
    const now = this.now();
    if (!(await this.opts.store.claimOnce(`missed-call:${line.teamId}:${line.userId}:${m.phoneCallId}`, new Date(now + MISSED_CLAIM_MS), new Date(now)))) return;
    const msg = missedCallMessage(m);
    try {
      await this.opts.client().chat.postMessage({ channel: line.userId, text: msg.text, blocks: msg.blocks });
    } catch (err) {
      // Not sent: the next read (here or on another replica) may try again.
      await this.opts.store.releaseClaim(`missed-call:${line.teamId}:${line.userId}:${m.phoneCallId}`);
      throw err;
    }
  }

  private track(work: Promise<void>): void {
    this.opts.background.track(work.catch((err: unknown) => this.opts.logger.warn('phone: could not tell the user', { error: err instanceof Error ? err.message : String(err) })));
  }
}
