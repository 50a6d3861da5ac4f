/**
 * Secrets the event receiver recently found in no watch, remembered so a flood
 * of them costs one store query each, not one per request. Bounded (least
 * recently used out first) and short-lived, so a watch created on another
 * replica still gets its events within `ttlMs`.
 */
export const UNKNOWN_SECRETS_MAX = 10_000;
export const UNKNOWN_SECRETS_TTL_MS = 5_000;

export class UnknownSecrets {
  /** secret -> when the miss expires; Map order is the recency order. */
  private readonly misses = new Map<string, number>();

  constructor(
    private readonly max = UNKNOWN_SECRETS_MAX,
    private readonly ttlMs = UNKNOWN_SECRETS_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when this secret missed within the TTL. */
  has(secret: string): boolean {
    const until = this.misses.get(secret);
    if (until === undefined) return false;
    this.misses.delete(secret);
    if (until <= this.now()) return false;
    this.misses.set(secret, until);
    return true;
  }

  miss(secret: string): void {
    this.misses.delete(secret);
    this.misses.set(secret, this.now() + this.ttlMs);
    while (this.misses.size > this.max) {
      const oldest = this.misses.keys().next().value;
      if (oldest === undefined) break;
      this.misses.delete(oldest);
    }
  }

  forget(secret: string): void {
    this.misses.delete(secret);
  }

  get size(): number {
    return this.misses.size;
  }
}
