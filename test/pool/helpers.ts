// Helpers for the Pool's tests: gates that handlers wait on (so tests decide when a
// handler returns, without sleeping), and a way to let queued work run.
import { setImmediate as nextMacrotask } from 'node:timers/promises';

export { prng, state, flush, rejection } from '../primitives-helpers.js';

/** A promise the test opens by hand. */
export interface Gate<T = void> {
  readonly promise: Promise<T>;
  open(value: T): void;
  fail(error: unknown): void;
}

export function gate<T = void>(): Gate<T> {
  let open!: (value: T) => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

/** Resolves after `n` macrotask turns: a handler's "duration" without a timer. */
export async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await nextMacrotask();
}

/** Waits (turn by turn, bounded) until `condition()` holds; throws if it never does. */
export async function until(condition: () => boolean, maxTurns = 10_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (condition()) return;
    await nextMacrotask();
  }
  throw new Error('condition never held');
}
