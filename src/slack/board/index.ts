/**
 * The supervisor board in Slack: builds the domain Board with its Slack output
 * (the rate-limit-aware writer), serves the PhoneCallEvents receiver route and
 * answers `/call watch|unwatch|watching`. Board writes use their own WebClient
 * with no automatic retries and rate-limited calls rejected, so nothing stale
 * is ever resent behind the scheduler's back.
 */
import { randomBytes } from 'node:crypto';
import { CardVersions } from '../cards/card-version.js';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { Board } from '../../board/board.js';
import type { CardRef } from '../../board/output.js';
import type { PollTiming } from '../../board/poller.js';
import type { AlertThresholds } from '../../board/escalation.js';
import { DEFAULT_THRESHOLDS } from '../../board/escalation.js';
import { DEFAULT_POLL_TIMING } from '../../board/poller.js';
import { UnknownSecrets } from './unknown-secrets.js';
import type { Background } from '../../background.js';
import type { Logger } from '../../log.js';
import type { OutboxStore } from '../../store/outbox.js';
import type { AccountStore, AuditStore, BoardCardStore, BoardChannelPause, BoardChannelPauseStore, CardVersionStore, ClaimStore, WatchStore } from '../../store/types.js';
import { LinkRequired, type Accounts, type SlackUser } from '../users/accounts.js';
import type { Supervisors } from '../users/supervisors.js';
import { BoardWriter } from './writer.js';
import type { BudgetedSender } from './budgeted-sender.js';
import { findPosted } from './posted-lookup.js';
import type { WriteBudgets } from './budget.js';
import { EVENTS_PATH, eventReceiver } from './receiver.js';
import { BoardHolder, type BoardMessage } from './holder.js';
import { applyNews } from './board-news.js';
import { postClaims } from './post-claims.js';
import type { JobQueue, LeaseManager } from '../../coordination/index.js';
import type { LegHint } from '../../board/snapshot.js';
import type { PhoneCall } from '../../uapi/schemas.js';

/** Several replicas: the board runs on the holder of a lease; the others hand it their news. */
export interface BoardReplicas {
  queue: JobQueue;
  leases: LeaseManager;
  /** Lease time (LEASE_SECONDS). */
  ttlMs: number;
  owner?: string;
}

export interface SlackBoardOptions {
  store: WatchStore & BoardCardStore & BoardChannelPauseStore & AuditStore & ClaimStore & CardVersionStore & Pick<AccountStore, 'getLinkedAccount'> & { readonly outbox: OutboxStore };
  accounts: Accounts;
  supervisors: Supervisors;
  background: Background;
  logger: Logger;
  botToken: string;
  clientOptions: WebClientOptions;
  /** Told after each board write how stale each channel's board is (seconds; the board staleness metric). */
  onStaleness?: (channelId: string, seconds: number) => void;
  /** Base URL for PhoneCallEvents; undefined = polling only. */
  eventsUrl?: string;
  timing?: Partial<PollTiming>;
  thresholds?: Partial<AlertThresholds>;
  budgets?: Partial<WriteBudgets>;
  /** The app's one budgeted sender, shared with the call cards (default: the board's own). */
  sender?: BudgetedSender;
  /** How often paused watches check that their owner is still linked (tests shorten it). */
  ownerCheckMs?: number;
  /** Extensions that are queues (ringing there escalates); default: every watched extension. */
  queues?: readonly string[];
  now?: () => number;
  /** With DATABASE_URL: the board runs on one replica at a time (see holder.ts). */
  replicas?: BoardReplicas;
  /** Builds the board's Web API client (distribution mode: one that finds each workspace's token). */
  makeClient?: (token: string, options: WebClientOptions) => WebClient;
}

export class SlackBoard {
  readonly board: Board;
  readonly writer: BoardWriter;
  readonly client: WebClient;
  /** Set with replicas: who runs the board. */
  readonly holder: BoardHolder | undefined;
  /** Extensions that are queues for ring alerts; undefined: every watched extension. */
  readonly queues: readonly string[] | undefined;

  constructor(private readonly opts: SlackBoardOptions) {
    const log = (message: string, fields?: Record<string, unknown>) => opts.logger.warn(message, fields);
    const queues = opts.queues && new Set(opts.queues);
    this.queues = opts.queues && [...opts.queues];
    this.board = new Board({
      store: opts.store,
      clientFor: async (owner) => (await opts.accounts.clientFor(owner)).client,
      isLinkProblem: (err) => err instanceof LinkRequired,
      isQueue: (ext) => !queues || queues.has(ext),
      timing: { ...DEFAULT_POLL_TIMING, ...opts.timing },
      thresholds: { ...DEFAULT_THRESHOLDS, ...opts.thresholds },
      ...(opts.ownerCheckMs && { ownerCheckMs: opts.ownerCheckMs }),
      ...(opts.now && { now: opts.now }),
      log,
    });
    this.board.eventsBase = opts.eventsUrl;
    const clientOptions: WebClientOptions = { ...opts.clientOptions, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true };
    this.client = opts.makeClient ? opts.makeClient(opts.botToken, clientOptions) : new WebClient(opts.botToken, clientOptions);
    const claims = postClaims(opts.store, opts.now ?? Date.now);
    this.writer = new BoardWriter(
      this.client,
      {
        posted: (ref, ts) => this.board.posted(ref, ts),
        liveCalls: (teamId, channelId) => this.board.liveCalls(teamId, channelId),
        mention: () => opts.supervisors.mention(),
        claimPost: (ref) => claims.claim(ref),
        releasePost: (ref) => claims.release(ref),
        refused: (channelId, code) => this.board.channelRefused(channelId, code),
        versions: new CardVersions(opts.store),
        attempted: (keys) => opts.store.outbox.markAttempted(keys, new Date((opts.now ?? Date.now)())),
        delivered: async (intent, messageTs) => {
          await opts.store.outbox.recordDelivery({ key: intent.key, version: intent.version, at: new Date((opts.now ?? Date.now)()), ...(messageTs && { messageTs }) });
        },
        findPosted: (channelId, keys, threadTs) => findPosted(this.client, channelId, keys, threadTs, opts.logger),
        ...(opts.onStaleness && { staleness: opts.onStaleness }),
      },
      opts.background,
      opts.logger,
      opts.budgets,
      opts.now,
      opts.sender,
    );
    this.board.setOutput(this.writer);
    const r = opts.replicas;
    if (r) {
      // Nothing runs here until this replica holds the board's lease.
      this.board.stop();
      this.holder = new BoardHolder({
        queue: r.queue,
        leases: r.leases,
        ttlMs: r.ttlMs,
        logger: opts.logger,
        ...(r.owner && { owner: r.owner }),
        onGained: (fence) => this.board.start(fence),
        onLost: () => {
          this.board.stop();
          this.writer.reset();
        },
        handle: (m) => applyNews(this.board, m),
      });
    }
  }

  /** Secrets that matched no watch a moment ago (a flood of them is answered from memory). */
  private readonly unknownSecrets = new UnknownSecrets();

  /** The PhoneCallEvents receiver as a Bolt custom route. */
  route() {
    const handler = eventReceiver(
      {
        known: async (s) => {
          if (this.board.knows(s)) {
            this.unknownSecrets.forget(s);
            return true;
          }
          if (this.unknownSecrets.has(s)) return false;
          const found = (await this.opts.store.findWatchBySecret(s)) !== undefined;
          if (!found) this.unknownSecrets.miss(s);
          return found;
        },
        eventArrived: async (s) => {
          await this.tell({ kind: 'event', secret: s });
          return true;
        },
      },
      (m, f) => this.opts.logger.warn(m, f),
    );
    return { path: EVENTS_PATH, method: ['POST', 'GET'], handler };
  }

  /** Starts the board, or (replicas) starts competing for it; `teamId` names the lease. */
  start(teamId = 'default'): Promise<void> {
    return this.holder ? this.holder.start(teamId) : this.board.start();
  }

  async stop(): Promise<void> {
    this.board.stop();
    await this.holder?.stop();
    this.writer.close();
  }

  /** Whether the board runs on this replica (always without replicas). */
  get running(): boolean {
    return this.board.running;
  }

  /** Hand news to whoever runs the board (this replica, or the lease holder's queue). */
  private async tell(m: BoardMessage): Promise<void> {
    if (this.holder) await this.holder.send(m);
    else await applyNews(this.board, m);
  }

  /**
   * The bot joined a channel: if that channel's board was paused because it refused the bot,
   * it resumes (here when the board runs here, else through the store and the holder's sync).
   */
  async botJoined(teamId: string, channelId: string): Promise<void> {
    if (this.board.running) {
      await this.board.resumeChannel(teamId, channelId);
      return;
    }
    if (await this.opts.store.resumeBoardChannel(teamId, channelId)) await this.tell({ kind: 'sync' });
  }

  /** The channel's board pause, if Slack refused it (from the store: any replica answers). */
  async channelPause(teamId: string, channelId: string): Promise<BoardChannelPause | undefined> {
    return (await this.opts.store.listBoardChannelPauses()).find((p) => p.teamId === teamId && p.channelId === channelId);
  }

  /** Events feed this board (otherwise polling alone). */
  get eventsOn(): boolean {
    return Boolean(this.board.eventsBase);
  }

  /** The board card at this message, if it is one (the action pipeline then leaves its rendering to the board). */
  async cardAt(teamId: string, place: { channelId?: string; ts?: string }): Promise<CardRef | undefined> {
    if (!place.channelId || !place.ts) return undefined;
    const here = this.board.cardAt(teamId, place.channelId, place.ts);
    if (here || this.board.running) return here;
    // Another replica runs the board: its cards are in the store.
    const stored = await this.opts.store.findBoardCardAt(teamId, place.channelId, place.ts);
    return stored && { teamId, channelId: stored.channelId, phoneCallId: stored.phoneCallId };
  }

  /** An action on a board card: its audit line (if any), then the board reads the call again; `actionId`: that action ended (failed). */
  note(ref: CardRef, line: string | undefined, actionId?: string): void {
    this.track(this.tell({ kind: 'note', ...ref, ...(line !== undefined && { line }), ...(actionId !== undefined && { actionId }) }));
  }

  /**
   * An action on a call starts, before its request is sent: returns its id, which its end
   * (`afterAction`, `note`, `actionFailed`) names. Here, the board takes it in before this
   * returns, so no read can tell the change before the action does; another replica's board
   * takes it in when its queue delivers it, or (a press) from the store before that: the press's
   * claims recorded its hold (`RequestClaims.chain`), and a read that sees the call change asks for it.
   */
  acting(phoneCallId: string, actionId = newActionId()): string {
    if (this.board.running) this.board.actionStarted(phoneCallId, actionId);
    else this.track(this.tell({ kind: 'acting', phoneCallId, actionId }));
    return actionId;
  }

  /** The action failed, or its result could not be shown, with no line on a board card: its hold ends. */
  actionFailed(phoneCallId: string, actionId: string): void {
    if (this.board.running) this.board.actionEnded(phoneCallId, actionId);
    else this.track(this.tell({ kind: 'acting', phoneCallId, actionId, ended: true }));
  }

  /**
   * Hook for the action path: an action on a call that boards show (from a board card, another
   * card or `/call`) gets a line on each card; `read`, the call as the action read it back, is
   * those cards' new state (the board then reads nothing for it).
   */
  afterAction(phoneCallId: string, line: string, hint?: LegHint, read?: { teamId: string; call: PhoneCall; awaiting: boolean }, actionId?: string): void {
    const after = read && { teamId: read.teamId, read: read.call, ...(read.awaiting && { awaiting: true }) };
    this.track(this.tell({ kind: 'action', phoneCallId, line, ...(hint && { hint }), ...after, ...(actionId !== undefined && { actionId }) }));
  }

  private track(work: Promise<void>): void {
    this.opts.background.track(work.catch((err: unknown) => this.opts.logger.warn('board: could not hand news to the board', { error: err instanceof Error ? err.message : String(err) })));
  }

  /** How to become a supervisor, for refusals. */
  get howToJoin(): string {
    return this.opts.supervisors.howToJoin;
  }

  /** Whether this user may set watches. */
  mayWatch(user: SlackUser): Promise<boolean> {
    return this.opts.supervisors.isSupervisor(user.userId);
  }
}

/** Names one action for the board (its start, its end and its hold in the store). */
export const newActionId = (): string => randomBytes(8).toString('hex');
