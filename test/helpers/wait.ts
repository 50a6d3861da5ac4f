/**
 * Waiting for a condition, never for a fixed time: the one wait helper of the
 * tests. `waitUntil` polls a probe until it returns something truthy and
 * returns that, or fails after a generous deadline (the machine is shared and
 * loaded) saying what it waited for and the last value seen. The short pause
 * between polls only paces the polling; nothing depends on its length.
 */
export interface WaitOptions {
  /** default 10 000 ms: long enough for a loaded 2-core machine, short enough to fail a test */
  timeoutMs?: number;
  /** default 10 ms */
  intervalMs?: number;
}

type Truthy<T> = Exclude<T, undefined | null | false | 0 | ''>;

/** `what` says what is awaited ("the card to be posted"); `opts` may be the timeout in ms. */
export async function waitUntil<T>(what: string, probe: () => T | Promise<T>, opts: WaitOptions | number = {}): Promise<Truthy<T>> {
  const { timeoutMs = 10_000, intervalMs = 10 } = typeof opts === 'number' ? { timeoutMs: opts } : opts;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${describe(value)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
