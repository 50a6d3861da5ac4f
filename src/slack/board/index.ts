/**
 * The supervisor board in Slack: builds the domain Board with its Slack output
 * (the rate-limit-aware writer), serves the PhoneCallEvents receiver route and
 * answers `/call watch|unwatch|watching`. Board writes use their own WebClient
 * with no automatic retries and rate-limited calls rejected, so nothing stale
 * is ever resent behind the scheduler's back.
 */
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { Board, type CardRef } from '../../board/board.js';
import type { PollTiming } from '../../board/poller.js';
import type { AlertThresholds } from '../../board/escalation.js';
import { DEFAULT_THRESHOLDS } from '../../board/escalation.js';
import { DEFAULT_POLL_TIMING } from '../../board/poller.js';
import type { Background } from '../../background.js';
import type { Logger } from '../../log.js';
import type { Store } from '../../store/types.js';
import { LinkRequired, type Accounts, type SlackUser } from '../accounts.js';
import type { Supervisors } from '../supervisors.js';
import { BoardWriter } from './writer.js';
import type { WriteBudgets } from './budget.js';
import { EVENTS_PATH, eventReceiver } from './receiver.js';

export interface SlackBoardOptions {
  store: Store;
  accounts: Accounts;
  supervisors: Supervisors;
  background: Background;
  logger: Logger;
  botToken: string;
  clientOptions: WebClientOptions;
  /** Base URL for PhoneCallEvents; undefined = polling only. */
  eventsUrl?: string;
  timing?: Partial<PollTiming>;
  thresholds?: Partial<AlertThresholds>;
  budgets?: Partial<WriteBudgets>;
  /** Extensions that are queues (ringing there escalates); default: every watched extension. */
  queues?: readonly string[];
  now?: () => number;
}

export class SlackBoard {
  readonly board: Board;
  readonly writer: BoardWriter;
  readonly client: WebClient;
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
      ...(opts.now && { now: opts.now }),
      log,
    });
    this.board.eventsBase = opts.eventsUrl;
    this.client = new WebClient(opts.botToken, { ...opts.clientOptions, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    this.writer = new BoardWriter(
      this.client,
      {
        posted: (ref, ts) => this.board.posted(ref, ts),
        liveCalls: (teamId, channelId) => this.board.liveCalls(teamId, channelId),
        mention: () => opts.supervisors.mention(),
      },
      opts.background,
      opts.logger,
      opts.budgets,
      opts.now,
    );
    this.board.setOutput(this.writer);
  }

  /** The PhoneCallEvents receiver as a Bolt custom route. */
  route() {
    const handler = eventReceiver({ known: (s) => this.board.knows(s), poke: (s) => this.board.poke(s) }, (m, f) => this.opts.logger.warn(m, f));
    return { path: EVENTS_PATH, method: ['POST', 'GET'], handler };
  }

  start(): Promise<void> {
    return this.board.start();
  }

  stop(): void {
    this.board.stop();
    this.writer.close();
  }

  /** Events feed this board (otherwise polling alone). */
  get eventsOn(): boolean {
    return Boolean(this.board.eventsBase);
  }

  /** The board card at this message, if it is one (the action pipeline then leaves its rendering to the board). */
  cardAt(teamId: string, place: { channelId?: string; ts?: string }): CardRef | undefined {
    return place.channelId && place.ts ? this.board.cardAt(teamId, place.channelId, place.ts) : undefined;
  }

  /** Hook for the action path: an action from `/call` on a call that boards show gets a line on each card. */
  afterAction(phoneCallId: string, line: string): void {
    for (const ref of this.board.cardsOf(phoneCallId)) this.board.afterAction(ref, line);
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
