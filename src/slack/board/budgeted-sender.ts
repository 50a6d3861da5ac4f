/**
 * Sending one Slack write within its budget. One sender serves the whole app, board cards and
 * call cards alike: updates share one token bucket per workspace (Slack's Tier-3 limit is per
 * workspace, so a busy one never slows another's cards, and a busy board and the call cards of
 * the same workspace never exceed it together), posts have one per channel. Each write is
 * counted and logged with its outcome and duration; a 429 blocks the bucket for Retry-After
 * and the write is reported as not made.
 */
import type { Logger } from '../../log.js';
import { TokenBucket, type WriteBudgets } from './budget.js';

export interface WriterStats {
  requests: number;
  rateLimited: number;
  posts: number;
  updates: number;
}

/** What a write is for: its workspace's budget, and who hears that Slack refused it. */
export interface SendOptions {
  teamId?: string;
  /** Told when Slack refused the write, with its error code (a channel refusing the bot pauses its board). */
  refused?: (code: string) => void;
  /** For the log line: a board write or a call card's. */
  what?: 'board' | 'card';
}

export class BudgetedSender {
  private readonly updates = new Map<string, TokenBucket>();
  private readonly posts = new Map<string, TokenBucket>();
  readonly stats: WriterStats = { requests: 0, rateLimited: 0, posts: 0, updates: 0 };

  constructor(
    private readonly budgets: WriteBudgets,
    private readonly logger: Logger,
    private readonly now: () => number,
    /** One bot token, so one workspace: every update spends the same budget, whichever team id it names. */
    private readonly oneWorkspace = false,
  ) {}

  /** The chat.update budget of a workspace. */
  updateBucket(teamId: string): TokenBucket {
    const key = this.oneWorkspace ? '' : teamId;
    let b = this.updates.get(key);
    if (!b) {
      b = new TokenBucket(this.budgets.updatesPerMinute / 60_000, this.budgets.updateBurst, this.now);
      this.updates.set(key, b);
    }
    return b;
  }

  postBucket(channelId: string): TokenBucket {
    let b = this.posts.get(channelId);
    if (!b) {
      b = new TokenBucket(this.budgets.postsPerSecond / 1000, this.budgets.postBurst, this.now);
      this.posts.set(channelId, b);
    }
    return b;
  }

  /** Makes the write; undefined when Slack rate-limited it (the bucket then waits for Retry-After). */
  async send<T extends { ts?: string }>(kind: 'post' | 'update', channelId: string, call: () => Promise<T>, opts: SendOptions = {}): Promise<T | undefined> {
    const what = opts.what ?? 'board';
    const bucket = kind === 'update' ? this.updateBucket(opts.teamId ?? '') : this.postBucket(channelId);
    bucket.take();
    this.stats.requests++;
    const started = this.now();
    // One line per write, with its outcome and duration (never a token: the client holds it).
    const done = (outcome: string) => this.logger.info(`${what} write`, { kind, channel: channelId, outcome, ms: this.now() - started });
    try {
      const res = await call();
      bucket.succeeded();
      if (kind === 'update') this.stats.updates++;
      else this.stats.posts++;
      done('ok');
      return res;
    } catch (err) {
      const retryAfter = (err as { retryAfter?: number }).retryAfter;
      if (typeof retryAfter === 'number') {
        this.stats.rateLimited++;
        bucket.block(retryAfter * 1000);
        done('rate_limited');
        this.logger.warn(`Slack rate-limited a ${what} write; waiting for Retry-After`, { kind, retryAfter });
        return undefined;
      }
      const code = (err as { data?: { error?: string } }).data?.error;
      done(`error: ${code ?? (err instanceof Error ? err.message : String(err))}`);
      if (code) opts.refused?.(code);
      throw err;
    }
  }
}
