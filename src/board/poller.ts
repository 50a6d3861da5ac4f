/**
 * Reads one watched extension again and again: every `hotMs` while a read finds
 * something about to change (`hooks.hot`: a call that just changed, or one
 * ringing, on hold or parked) and for `hotForMs` after that; every `liveMs`
 * while it has only quiet live calls, and for `lingerMs` after it last had one or a PhoneCallEvent came (the
 * next call's dial-in event may be lost: VoipNow does not retry), every
 * `idleMs` after that, backing off on errors. `readNow()` (an action just
 * changed the call) asks for a read now; requests that arrive while a read
 * runs coalesce into one more read right after it. Never two reads at once.
 * `readSoon()` (a PhoneCallEvent arrived) is a readNow() spaced `eventGapMs` after
 * the last read an event asked for (a poll just before does not delay it): a
 * flood of events costs a read every `eventGapMs` on top of the polls.
 *
 * Its timers are its own (unref'd), not the app's drain point: a poller is
 * always waiting, so it must not keep `idle()` from resolving.
 */
export interface PollTiming {
  liveMs: number;
  idleMs: number;
  /** Upper bound of the error backoff. */
  maxBackoffMs: number;
  /** How long an extension stays at the live rate after its last live call or event (default 0). */
  lingerMs?: number;
  /** Least time between the starts of reads that events ask for (capped at liveMs; default 0). */
  eventGapMs?: number;
  /** The read interval while the extension is hot (default liveMs: no faster rate). */
  hotMs?: number;
  /** How long a hot read keeps the hot rate (default 0). */
  hotForMs?: number;
}

export const DEFAULT_POLL_TIMING: PollTiming = { liveMs: 1200, idleMs: 30_000, maxBackoffMs: 60_000, lingerMs: 120_000, eventGapMs: 500, hotMs: 500, hotForMs: 10_000 };

export interface PollerHooks<T> {
  read(): Promise<T[]>;
  /** What was read; resolves when it has been taken in. */
  onRead(items: T[]): Promise<void>;
  /** A failed read: return 'stop' to stop polling (e.g. the owner's link expired). */
  onError(err: unknown): Promise<'stop' | 'retry'>;
  /** Whether what was read is about to change again (read at `hotMs` for a while); default never. */
  hot?(items: T[]): boolean;
}

export class Poller<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** An event came while a read ran: one more read, spaced by the event gap. */
  private readSoonAsked = false;
  /** When the last read an event asked for began (or is due): event-asked reads are spaced from each other, not from polls. */
  private lastEventStart = Number.NEGATIVE_INFINITY;
  private timerDue = 0;
  private stopped = false;
  private failures = 0;
  private live = false;
  /** Until when the live rate holds although nothing is live (ms since epoch). */
  private activeUntil = 0;
  /** Until when the hot rate holds (ms since epoch). */
  private hotUntil = 0;
  /** When the last read succeeded (ms since epoch). */
  lastSuccess: number | undefined;

  constructor(
    private readonly hooks: PollerHooks<T>,
    private readonly timing: PollTiming = DEFAULT_POLL_TIMING,
    private readonly now: () => number = Date.now,
  ) {}

  /** A PhoneCallEvent arrived: read now, and keep the live rate for a while. */
  readSoon(): void {
    this.activeUntil = this.now() + (this.timing.lingerMs ?? 0);
    if (this.stopped) return;
    if (this.running) {
      this.readSoonAsked = true;
      return;
    }
    this.spaced();
  }

  /** Read now if the event gap since the last read's start is over, else once at its end. */
  private spaced(): void {
    const gap = Math.min(this.timing.eventGapMs ?? 0, this.timing.liveMs);
    const now = this.now();
    const wait = this.lastEventStart + gap - now;
    if (wait <= 0) {
      this.lastEventStart = now;
      this.readNow();
      return;
    }
    if (this.timer && this.timerDue <= now + wait) return;
    this.lastEventStart = now + wait;
    this.armIn(wait);
  }

  /** Read now (coalesced with a read under way). */
  readNow(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.clearTimer();
    this.running = this.cycle().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.readSoonAsked = false;
        this.readNow();
      } else if (this.readSoonAsked) {
        this.readSoonAsked = false;
        this.spaced();
      } else this.arm();
    });
  }

  start(): void {
    this.readNow();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Resolves when the read under way (if any) is done. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async cycle(): Promise<void> {
    let items: T[];
    try {
      items = await this.hooks.read();
    } catch (err) {
      this.failures++;
      if ((await this.hooks.onError(err).catch(() => 'retry' as const)) === 'stop') this.stop();
      return;
    }
    this.failures = 0;
    this.lastSuccess = this.now();
    this.live = items.length > 0;
    if (this.live) this.activeUntil = this.now() + (this.timing.lingerMs ?? 0);
    if (this.hooks.hot?.(items)) this.hotUntil = this.now() + (this.timing.hotForMs ?? 0);
    await this.hooks.onRead(items);
  }

  private delay(): number {
    const now = this.now();
    const base = now < this.hotUntil ? Math.min(this.timing.hotMs ?? this.timing.liveMs, this.timing.liveMs) : this.live || now < this.activeUntil ? this.timing.liveMs : this.timing.idleMs;
    if (this.failures === 0) return base;
    return Math.min(this.timing.maxBackoffMs, this.timing.liveMs * 2 ** Math.min(this.failures, 10));
  }

  private arm(): void {
    this.armIn(this.delay());
  }

  private armIn(ms: number): void {
    this.clearTimer();
    this.timerDue = this.now() + ms;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.readNow();
    }, ms);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
