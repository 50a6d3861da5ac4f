/**
 * Polls `fn` until it returns something other than undefined and returns it,
 * or fails after a generous deadline (the machine is shared and loaded). The
 * short pause between polls only paces the polling.
 */
export async function eventually<T>(fn: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
