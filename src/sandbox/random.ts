/**
 * Seeded pseudo-random numbers (mulberry32) for the sandbox's generated
 * behaviour — dropped call events, traffic — so a test that gives a seed gets
 * the same sequence every run.
 */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An exponentially distributed value with the given mean (Poisson arrivals, talk times). */
export function exponential(random: Random, mean: number): number {
  return -Math.log(1 - random()) * mean;
}

export function pick<T>(random: Random, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(random() * items.length)];
}
