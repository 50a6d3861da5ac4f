/**
 * Waiting for a condition, never for a fixed time: `waitUntil` polls a probe
 * until it returns something truthy and returns that, or fails after a
 * generous deadline (the machine is shared and loaded) saying what it waited
 * for and the last value seen. The short pause between polls only paces the
 * polling; nothing depends on its length.
 */
export interface WaitOptions {
  /** default 10 000 ms: long enough for a loaded 2-core machine, short enough to fail a test */
  timeoutMs?: number;
  /** default 10 ms */
  intervalMs?: number;
}

export async function waitUntil<T>(probe: () => T | Promise<T>, what: string, opts: WaitOptions = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${describe(value)}`);
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 10));
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
