/**
 * WaitGroup: Go's `sync.WaitGroup`. A counter of outstanding work; `wait()` resolves
 * when it reaches zero.
 */
import type { WaitOptions } from './channel.js';
import { InvalidOptionError, NegativeCounterError } from './errors.js';
import { WaitOperation } from './internal/operation.js';
import { optionalSignal } from './internal/validate.js';
import { WaiterQueue } from './internal/waiter-queue.js';
import { rejectWith } from './internal/reject-with.js';

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Waits for a collection of work to finish. `add(n)` counts work in, `done()` counts one
 * out, and `wait()` resolves once the counter is zero. `go(fn)` does all three for one
 * function.
 *
 * Rules, as in Go: call `add` before starting the work it counts (not from inside it);
 * a counter that would drop below zero throws {@link NegativeCounterError} and stays as
 * it was. When the counter reaches zero every waiting `wait()` resolves, and the group
 * can be reused for a new round.
 *
 * @example
 * ```ts
 * const wg = new WaitGroup();
 * const lengths: number[] = [];
 * for (const word of ['go', 'crew']) void wg.go(async () => lengths.push(word.length));
 * await wg.wait(); // lengths holds 2 and 4
 * ```
 */
export class WaitGroup {
  #count = 0;
  readonly #waiters = new WaiterQueue<WaitOperation>();

  /** The counter: work added and not yet done. */
  get count(): number {
    return this.#count;
  }

  /**
   * Adds `delta` (an integer; negative counts work out) to the counter. Throws
   * {@link NegativeCounterError} if the counter would drop below zero. Reaching zero
   * resolves every waiting `wait()`.
   */
  add(delta = 1): void {
    if (typeof delta !== 'number' || !Number.isInteger(delta)) {
      throw new InvalidOptionError('delta', delta, 'an integer');
    }
    const count = this.#count + delta;
    if (count < 0) throw new NegativeCounterError();
    this.#count = count;
    if (count === 0) {
      for (let w = this.#waiters.shift(); w !== null; w = this.#waiters.shift()) w.settle();
    }
  }

  /** Counts one piece of work out: `add(-1)`. */
  done(): void {
    this.add(-1);
  }

  /**
   * Resolves once the counter is zero (at once if it is zero now). Rejects with
   * `signal.reason` on abort; the counter is not affected.
   */
  wait(options?: WaitOptions): Promise<void> {
    const signal = optionalSignal(options);
    if (signal?.aborted) return rejectWith(signal.reason);
    if (this.#count === 0) return RESOLVED;
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push(new WaitOperation(resolve, reject, signal));
    });
  }

  /**
   * Counts `fn` in, calls it at once, and counts it out when it settles (Go 1.25's
   * `wg.Go`). Returns `fn`'s outcome; the counter is already decremented when that
   * promise settles. A failure is not swallowed: handle the returned promise, or use
   * {@link Group}, which collects errors.
   */
  go<R>(fn: () => R | PromiseLike<R>): Promise<Awaited<R>> {
    if (typeof fn !== 'function') throw new InvalidOptionError('fn', fn, 'a function');
    this.add(1);
    return this.#run(fn);
  }

  async #run<R>(fn: () => R | PromiseLike<R>): Promise<Awaited<R>> {
    try {
      return await fn();
    } finally {
      this.done();
    }
  }
}
