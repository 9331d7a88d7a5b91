/**
 * Semaphore: a weighted semaphore, as golang.org/x/sync/semaphore.
 *
 * Fairness is strict FIFO (head-of-line): while the oldest waiter cannot fit, later ones
 * wait too, even those that would fit. So a heavy acquire is never starved by a stream
 * of light ones; the price is that light ones may wait behind it.
 */
import type { WaitOptions } from './channel.js';
import { InvalidOptionError, SemaphoreWeightError } from './errors.js';
import { WaitOperation } from './internal/operation.js';
import { checkInteger, optionalSignal } from './internal/validate.js';
import { WaiterQueue } from './internal/waiter-queue.js';
import { rejectWith } from './internal/reject-with.js';

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * A weighted semaphore of `size` units. `acquire(w)` waits until `w` units are free and
 * takes them; `release(w)` gives them back. Waiters are served first in, first out.
 *
 * @example
 * ```ts
 * const memory = new Semaphore(1024); // MB
 * const { signal } = new AbortController();
 * await memory.acquire(256, { signal });
 * try {
 *   // ... work within 256 MB
 * } finally {
 *   memory.release(256);
 * }
 * ```
 */
export class Semaphore {
  readonly #size: number;
  #held = 0;
  readonly #waiters = new WaiterQueue<AcquireOperation>();
  /** An aborted head waiter left: those behind it may fit now. */
  readonly #wakeAfterAbort = (): void => this.#wake();

  /** @param size The total weight: an integer ≥ 1. */
  constructor(size: number) {
    this.#size = checkInteger('size', size, 1);
  }

  /** The total weight. */
  get size(): number {
    return this.#size;
  }

  /** The weight free now (some of it may be promised to a waiter that cannot fit yet). */
  get available(): number {
    return this.#size - this.#held;
  }

  /** How many acquires wait. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Takes `weight` units (an integer from 0 to `size`), waiting until they are free and
   * every earlier waiter was served. A weight above `size` could never be served: it
   * throws {@link InvalidOptionError} at once. Rejects with `signal.reason` on abort;
   * then nothing was taken, and waiters behind it are re-examined.
   */
  acquire(weight = 1, options?: WaitOptions): Promise<void> {
    this.#checkWeight(weight);
    const signal = optionalSignal(options);
    if (signal?.aborted) return rejectWith(signal.reason);
    if (this.#fits(weight)) {
      this.#held += weight;
      return RESOLVED;
    }
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push(
        new AcquireOperation(this.#wakeAfterAbort, weight, resolve, reject, signal),
      );
    });
  }

  /** Takes `weight` units if that needs no waiting and returns `true`; otherwise `false`. */
  tryAcquire(weight = 1): boolean {
    this.#checkWeight(weight);
    if (!this.#fits(weight)) return false;
    this.#held += weight;
    return true;
  }

  /**
   * Gives back `weight` units and wakes the waiters that now fit, in order. Throws
   * {@link SemaphoreWeightError} if that is more than is held (nothing is released).
   */
  release(weight = 1): void {
    checkInteger('weight', weight, 0);
    if (weight > this.#held) throw new SemaphoreWeightError();
    this.#held -= weight;
    this.#wake();
  }

  #fits(weight: number): boolean {
    return this.#waiters.length === 0 && this.#size - this.#held >= weight;
  }

  #checkWeight(weight: number): void {
    if (
      typeof weight !== 'number' ||
      !Number.isInteger(weight) ||
      weight < 0 ||
      weight > this.#size
    ) {
      throw new InvalidOptionError('weight', weight, `an integer from 0 to ${this.#size}`);
    }
  }

  #wake(): void {
    for (let w = this.#waiters.peek(); w !== null; w = this.#waiters.peek()) {
      if (this.#size - this.#held < w.weight) return;
      this.#waiters.shift();
      this.#held += w.weight;
      w.settle();
    }
  }
}

class AcquireOperation extends WaitOperation {
  readonly weight: number;
  readonly #onHeadWithdrawn: () => void;

  constructor(
    onHeadWithdrawn: () => void,
    weight: number,
    resolve: () => void,
    reject: (reason: unknown) => void,
    signal: AbortSignal | undefined,
  ) {
    super(resolve, reject, signal);
    this.weight = weight;
    this.#onHeadWithdrawn = onHeadWithdrawn;
  }

  protected override withdrawn(wasHead: boolean): void {
    if (wasHead) this.#onHeadWithdrawn();
  }
}
