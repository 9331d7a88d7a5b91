/**
 * Base of the record a waiting operation (a send, a receive, a WaitGroup wait, a
 * Semaphore acquire) keeps in its queue. The record is its own queue node and its own
 * abort listener (`handleEvent`), so waiting allocates no closure beyond the promise's,
 * and the listener is removed the moment the operation settles.
 */
import type { WaiterNode, WaiterQueue } from './waiter-queue.js';

export abstract class Operation implements WaiterNode {
  prev: WaiterNode | null = null;
  next: WaiterNode | null = null;
  queue: WaiterQueue<WaiterNode> | null = null;
  protected readonly reject: (reason: unknown) => void;
  readonly #signal: AbortSignal | undefined;

  /** Starts listening to `signal`; the caller has checked that it is not aborted yet. */
  constructor(reject: (reason: unknown) => void, signal: AbortSignal | undefined) {
    this.reject = reject;
    this.#signal = signal;
    if (signal !== undefined) signal.addEventListener('abort', this);
  }

  /** Stops listening to the signal; call exactly once, when the operation settles. */
  protected release(): void {
    if (this.#signal !== undefined) this.#signal.removeEventListener('abort', this);
  }

  /**
   * The abort listener: leave the queue without consuming or delivering anything, and
   * reject with the signal's reason. Does nothing if the operation already settled.
   */
  handleEvent(): void {
    const queue = this.queue;
    if (queue === null) return;
    const wasHead = queue.peek() === this;
    queue.remove(this);
    this.release();
    this.reject(this.#signal!.reason);
    this.withdrawn(wasHead);
  }

  /** Called after an abort took this operation out of its queue. */
  protected withdrawn(_wasHead: boolean): void {}
}

/** An operation that waits for a moment, not a value: it resolves or fails, once. */
export class WaitOperation extends Operation {
  readonly #resolve: () => void;

  constructor(resolve: () => void, reject: (reason: unknown) => void, signal?: AbortSignal) {
    super(reject, signal);
    this.#resolve = resolve;
  }

  settle(): void {
    this.release();
    this.#resolve();
  }

  fail(reason: unknown): void {
    this.release();
    this.reject(reason);
  }
}
