/**
 * Slack's Web API rate limits, for the recording Slack API (slack-api.ts) when
 * it is started with `rateLimits`. Each limited method is a token bucket per
 * workspace (one bot token = one workspace here) or per channel: `limit` calls
 * per `windowMs`, up to `burst` at once. Over the limit Slack answers HTTP 429
 * with `Retry-After` (whole seconds) and `{ok:false, error:'ratelimited'}`.
 *
 * Defaults follow https://api.slack.com/apis/rate-limits and the methods' pages:
 * chat.update / chat.delete Tier 3 (50+ a minute per workspace), chat.postMessage
 * "special": about 1 a second per channel with short bursts tolerated,
 * chat.postEphemeral / views.* / users.info Tier 4 (100+ a minute),
 * usergroups.users.list Tier 2 (20+ a minute). Other methods are not limited.
 */

export interface LimitRule {
  /** calls allowed per window */
  limit: number;
  windowMs: number;
  /** calls allowed at once after a quiet spell; default `limit` */
  burst?: number;
  /** one budget per workspace (token) or per channel of a workspace */
  per: 'team' | 'channel';
}

/** A rule per method; null = not limited. */
export type LimitTable = Record<string, LimitRule | null>;

const tier = (perMinute: number): LimitRule => ({ limit: perMinute, windowMs: 60_000, per: 'team' });

export const SLACK_LIMITS: Readonly<LimitTable> = {
  'chat.update': tier(50),
  'chat.delete': tier(50),
  'chat.postMessage': { limit: 1, windowMs: 1000, burst: 3, per: 'channel' },
  'chat.postEphemeral': tier(100),
  'chat.getPermalink': tier(100),
  'views.open': tier(100),
  'views.update': tier(100),
  'views.push': tier(100),
  'views.publish': tier(100),
  'users.info': tier(100),
  'conversations.info': tier(50),
  'conversations.history': tier(50),
  'conversations.replies': tier(50),
  'usergroups.users.list': tier(20),
  'usergroups.list': tier(20),
};

export interface RateLimitOptions {
  /** overrides merged over SLACK_LIMITS (null lifts a method's limit) */
  limits?: LimitTable;
  /**
   * Multiplies every window: 0.1 makes Tier 3 fifty calls per 6 s, so tests
   * exercise the limits without waiting long. Default 1.
   */
  timeScale?: number;
  /** clock, ms; default Date.now */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly table: LimitTable;
  private readonly scale: number;
  private readonly now: () => number;
  private readonly buckets = new Map<string, Bucket>();
  private readonly limited = new Map<string, number>();

  constructor(opts: RateLimitOptions = {}) {
    this.table = { ...SLACK_LIMITS, ...opts.limits };
    this.scale = opts.timeScale ?? 1;
    this.now = opts.now ?? Date.now;
  }

  rule(method: string): LimitRule | undefined {
    return this.table[method] ?? undefined;
  }

  /**
   * Takes one call from the method's budget: undefined when allowed, else the
   * milliseconds until the next call would be (the call is refused and counted).
   */
  take(method: string, token: string | undefined, channel: string | undefined): number | undefined {
    const rule = this.rule(method);
    if (!rule) return undefined;
    const key = `${method}\u0000${token ?? '-'}\u0000${rule.per === 'channel' ? (channel ?? '-') : ''}`;
    const capacity = rule.burst ?? rule.limit;
    const perMs = rule.limit / (rule.windowMs * this.scale);
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: capacity, at: now };
    b.tokens = Math.min(capacity, b.tokens + (now - b.at) * perMs);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return undefined;
    }
    this.limited.set(method, (this.limited.get(method) ?? 0) + 1);
    return Math.ceil((1 - b.tokens) / perMs);
  }

  /** 429s answered, per method. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.limited);
  }

  total(method?: string): number {
    if (method !== undefined) return this.limited.get(method) ?? 0;
    let n = 0;
    for (const v of this.limited.values()) n += v;
    return n;
  }

  /** Full budgets again, counts zeroed. */
  reset(): void {
    this.buckets.clear();
    this.limited.clear();
  }
}

/** Retry-After in whole seconds, as Slack sends it: at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
