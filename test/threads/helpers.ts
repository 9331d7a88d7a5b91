// Shared by the ThreadPool tests: fixture paths and a pool that is always closed.
import { fileURLToPath } from 'node:url';

/** The absolute path of a fixture handler module. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** The jobs the `behaviours.mjs` fixture understands. */
export type Behaviour =
  | { kind: 'echo'; value: unknown }
  | { kind: 'attempt' }
  | { kind: 'throw' }
  | { kind: 'throw-type' }
  | { kind: 'throw-string' }
  | { kind: 'uncaught' }
  | { kind: 'unhandled-rejection' }
  | { kind: 'exit'; code: number }
  | { kind: 'oom' }
  | { kind: 'wait-abort' }
  | { kind: 'ignore-abort' }
  | { kind: 'exit-on-first-attempt' }
  | { kind: 'report-abort'; channel: string }
  | { kind: 'thread-id' }
  | { kind: 'sleep'; ms: number; value: unknown }
  | { kind: 'spin'; ms: number; value: unknown }
  | { kind: 'unclonable' };

/** Resolves with the first message on a BroadcastChannel named `name`. */
export function firstBroadcast(name: string): Promise<unknown> {
  const channel = new BroadcastChannel(name);
  return new Promise((resolve) => {
    channel.onmessage = (event) => {
      channel.close();
      resolve((event as MessageEvent).data);
    };
  });
}

/** A small seeded PRNG (mulberry32), so a randomized test can be replayed from its seed. */
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
