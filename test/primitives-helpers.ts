// Helpers for the primitives' tests: the seeded PRNG (test/random.ts), and a way to tell whether a promise
// is still pending without sleeping.
import { setImmediate as nextMacrotask } from 'node:timers/promises';

export { prng } from './random.js';

export type State = 'pending' | 'resolved' | 'rejected';

/**
 * Whether `promise` has settled once every microtask queued so far has run: a macrotask
 * turn drains the microtask queue, so a promise still pending after it is waiting on
 * something outside (another party, a timer), not merely on scheduling.
 */
export async function state(promise: Promise<unknown>): Promise<State> {
  let s: State = 'pending';
  promise.then(
    () => (s = 'resolved'),
    () => (s = 'rejected'),
  );
  await nextMacrotask();
  return s;
}

/** Lets every queued microtask run. */
export function flush(): Promise<void> {
  return nextMacrotask();
}

/** A promise's rejection, for asserting on; fails if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
