/**
 * Slack's rate limits as budgets the board spends: a token bucket per budget
 * (chat.update for the whole workspace, chat.postMessage per channel), plus a
 * block until Retry-After when Slack answered 429 anyway.
 */
export interface WriteBudgets {
  /** chat.update for all cards of the workspace (Tier 3 is about 50 a minute). */
  updatesPerMinute: number;
  updateBurst: number;
  /** chat.postMessage per channel (about 1 a second). */
  postsPerSecond: number;
  postBurst: number;
  /** Pending card changes in one channel beyond which it switches to the compact summary. */
  compactBacklog: number;
  /** Least time in compact mode before switching back. */
  compactMinMs: number;
}

export const DEFAULT_BUDGETS: WriteBudgets = {
  updatesPerMinute: 40,
  // Tier 3 tolerates bursts (about 50 a minute, not one every 1.2 s): a few changes arriving
  // together go out at once instead of 1.5 s apart, while the rate stays at 40 a minute.
  updateBurst: 8,
  postsPerSecond: 0.8,
  postBurst: 2,
  compactBacklog: 8,
  compactMinMs: 30_000,
};

/**
 * A token bucket that also learns: a 429 halves its rate (Slack's real budget
 * is lower than configured, or shared with someone else), and each write that
 * goes through wins a little of it back, up to the configured rate.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;
  private blockedUntil = 0;
  private perMs: number;

  constructor(
    private readonly maxPerMs: number,
    private readonly capacity: number,
    private readonly now: () => number,
  ) {
    this.perMs = maxPerMs;
    this.tokens = capacity;
    this.at = now();
  }

  private refill(): void {
    const t = this.now();
    if (t <= this.at) return;
    this.tokens = Math.min(this.capacity, this.tokens + (t - this.at) * this.perMs);
    this.at = t;
  }

  /**
   * Ms until one token is available (0: now). With `reserve`, until one is available beyond that many
   * kept back for more urgent writes (at most the burst less one).
   */
  waitMs(reserve = 0): number {
    this.refill();
    const blocked = Math.max(0, this.blockedUntil - this.now());
    const need = 1 + Math.max(0, Math.min(reserve, this.capacity - 1));
    const tokens = this.tokens >= need ? 0 : Math.ceil((need - this.tokens) / this.perMs);
    return Math.max(blocked, tokens);
  }

  take(): void {
    this.refill();
    this.tokens -= 1;
  }

  /** A write went through: recover 5% of the rate lost to 429s. */
  succeeded(): void {
    this.refill();
    this.perMs = Math.min(this.maxPerMs, this.perMs * 1.05);
  }

  /** Slack said 429: nothing more until Retry-After has passed, then from an empty bucket at half the rate. */
  block(ms: number): void {
    this.refill();
    this.perMs = Math.max(this.maxPerMs / 16, this.perMs / 2);
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
    this.tokens = Math.min(this.tokens, 0);
    this.at = Math.max(this.at, this.blockedUntil);
  }

  /** Tokens in the bucket now (writes it allows at once). */
  get available(): number {
    this.refill();
    return Math.max(0, this.tokens);
  }

  /** Writes this bucket allows per minute (for shares). */
  get perMinute(): number {
    return this.perMs * 60_000;
  }
}
