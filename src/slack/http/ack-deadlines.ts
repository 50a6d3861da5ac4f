/**
 * Requests still waiting for their acknowledgement, each with the moment it is given up on.
 * Every request of one queue waits the same time, so they fall due in the order they came:
 * one timer, for the oldest still waiting, serves them all (no timer set and cleared per
 * request). The timer does not keep the process alive on its own.
 */
export interface AwaitingAck {
  /** Set once acknowledged (or answered otherwise): it is then no longer given up on. */
  readonly acknowledged: boolean;
  /** Called when the wait is over and it was not acknowledged. */
  expired(): void;
}

export class AckDeadlines {
  #waiting: Array<{ due: number; request: AwaitingAck }> = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly waitMs: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {}

  /** Start the wait of a request. */
  add(request: AwaitingAck): void {
    this.#waiting.push({ due: this.now() + this.waitMs, request });
    if (!this.#timer) this.#arm();
  }

  /** Requests still counted as waiting (acknowledged ones leave when the timer next runs). */
  get size(): number {
    return this.#waiting.length - this.#head;
  }

  #arm(): void {
    while (this.#head < this.#waiting.length && this.#waiting[this.#head]!.request.acknowledged) this.#head++;
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
      this.#timer = undefined;
      return;
    }
    if (this.#head > 1024) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    const delay = Math.max(0, this.#waiting[this.#head]!.due - this.now());
    this.#timer = setTimeout(() => this.#fire(), delay);
    this.#timer.unref();
  }

  #fire(): void {
    const now = this.now();
    while (this.#head < this.#waiting.length && this.#waiting[this.#head]!.due <= now) {
      const { request } = this.#waiting[this.#head++]!;
      if (!request.acknowledged) request.expired();
    }
    this.#arm();
  }
}
