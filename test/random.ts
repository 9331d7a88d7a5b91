// The seeded PRNG (mulberry32) that every randomized test uses: a failure names its seed, and
// CREW_SEED=<seed> replays it.

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seeds to run: CREW_SEED alone when set, else `count` fresh ones. */
export function seeds(count: number): number[] {
  const fixed = process.env.CREW_SEED;
  if (fixed !== undefined) return [Number(fixed)];
  return Array.from({ length: count }, () => Math.floor(Math.random() * 2 ** 32));
}

/**
 * Runs `schedule` once per seed (see {@link seeds}); a failure names its seed, so
 * `CREW_SEED=<seed>` replays it.
 */
export async function forEachSeed(
  label: string,
  count: number,
  schedule: (seed: number) => Promise<void>,
): Promise<void> {
  for (const seed of seeds(count)) {
    try {
      await schedule(seed);
    } catch (error) {
      console.error(`${label} failed; replay with CREW_SEED=${seed}`);
      throw error;
    }
  }
}

/** A random integer in [0, n). */
export function below(random: () => number, n: number): number {
  return Math.floor(random() * n);
}

/** Shuffles `items` in place (Fisher–Yates). */
export function shuffle<T>(random: () => number, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = below(random, i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
