/**
 * Sending one board write within its budget: updates share one token bucket per workspace
 * (Slack's Tier-3 limit is per workspace, so a busy one never slows another's cards), posts
 * have one per channel. Each write is counted and logged with its outcome and duration; a 429
 * blocks the bucket for Retry-After and the write is reported as not made.
 */
import type { Logger } from '../../log.js';
import { TokenBucket, type WriteBudgets } from './budget.js';

export interface WriterStats {
  requests: number;
  rateLimited: number;
  posts: number;
  updates: number;
}

export class BudgetedSender {
  private readonly updates = new Map<string, TokenBucket>();
  private readonly posts = new Map<string, TokenBucket>();
  readonly stats: WriterStats = { requests: 0, rateLimited: 0, posts: 0, updates: 0 };

  constructor(
    private readonly budgets: WriteBudgets,
    private readonly logger: Logger,
    private readonly now: () => number,
    /** Told of each write Slack refused, with its error code (a channel refusing the bot pauses its board). */
    private readonly refused?: (channelId: string, code: string) => void,
  ) {}

  /** The chat.update budget of a workspace. */
  updateBucket(teamId: string): TokenBucket {
    let b = this.updates.get(teamId);
    if (!b) {
      b = new TokenBucket(this.budgets.updatesPerMinute / 60_000, this.budgets.updateBurst, this.now);
      this.updates.set(teamId, b);
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
  async send(kind: 'post' | 'update', channelId: string, call: () => Promise<{ ts?: string }>, teamId = ''): Promise<{ ts?: string } | undefined> {
    const bucket = kind === 'update' ? this.updateBucket(teamId) : this.postBucket(channelId);
    bucket.take();
    this.stats.requests++;
    const started = this.now();
    // One line per board write, with its outcome and duration (never a token: the client holds it).
    const done = (outcome: string) => this.logger.info('board write', { kind, channel: channelId, outcome, ms: this.now() - started });
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
        this.logger.warn('Slack rate-limited a board write; waiting for Retry-After', { kind, retryAfter });
        return undefined;
      }
      const code = (err as { data?: { error?: string } }).data?.error;
      done(`error: ${code ?? (err instanceof Error ? err.message : String(err))}`);
      if (code) this.refused?.(channelId, code);
      throw err;
    }
  }
}
