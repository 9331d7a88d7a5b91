import type { Transferable } from 'node:worker_threads';
import { kOutcome, type AbortListener, type Outcome } from '../pool/internal.js';
import type { Thread } from './thread.js';
import { defer } from '../internal/defer.js';
import { keepShape } from '../internal/keep-shape.js';

/** Who a record reports an abort to (the dispatcher). */
export interface RecordOwner {
  abortTask(task: TaskRecord, reason: unknown): void;
}

/**
 * One task while it is handed to the threads: from `Dispatcher.run()` until its
 * outcome comes back (or its thread dies). Not the Pool's task: retries, timeouts and
 * priorities live in the Pool; this is one attempt on its way through a thread. It is
 * its own abort listener, so forwarding an abort allocates nothing per task, and it is what
 * the Pool's handler returns: the Pool subscribes through `kOutcome` (see internal.ts), so an
 * attempt needs no promise. `then` makes it an ordinary thenable for anyone else.
 */
export class TaskRecord implements AbortListener, Outcome, PromiseLike<unknown> {
  readonly job: unknown;
  readonly attempt: number;
  readonly transfer: readonly Transferable[] | undefined;
  readonly owner: RecordOwner;
  /**
   * Where it was sent; its slot there (how the thread knows it; see SlotTable); and its place
   * in that thread's order of starts (1-based; 0 until the thread's batch with it leaves).
   */
  thread: Thread | undefined = undefined;
  slot = 0;
  seq = 0;
  /** The attempt was aborted (with `reason`): it must not start, or its cancel was sent. */
  cancelled = false;
  reason: unknown = undefined;
  settled = false;
  /** Once settled: whether it succeeded, and its value or error. */
  ok = false;
  value: unknown = undefined;
  #fulfilled: ((value: unknown) => void) | undefined = undefined;
  #rejected: ((error: unknown) => void) | undefined = undefined;
  /** Whether the outcome came while nobody had subscribed yet. */
  #pending = false;
  /** The thread it was aborted on, while its handler has not returned. */
  drainingOn: Thread | undefined = undefined;
  grace: NodeJS.Timeout | undefined = undefined;
  /** Whether a grace check found its handler running (the period restarts from then). */
  seenRunning = false;

  constructor(
    owner: RecordOwner,
    job: unknown,
    attempt: number,
    transfer: readonly Transferable[] | undefined,
  ) {
    this.owner = owner;
    this.job = job;
    this.attempt = attempt;
    this.transfer = transfer;
  }

  /** See `kOutcome`: one subscriber, told in a later microtask than the subscription. */
  [kOutcome](fulfilled: (value: unknown) => void, rejected: (error: unknown) => void): void {
    this.#fulfilled = fulfilled;
    this.#rejected = rejected;
    if (this.#pending) defer(() => this.deliver());
  }

  then<T = unknown, E = never>(
    onFulfilled?: ((value: unknown) => T | PromiseLike<T>) | null,
    onRejected?: ((reason: unknown) => E | PromiseLike<E>) | null,
  ): Promise<T | E> {
    return new Promise<unknown>((resolve, reject) => this[kOutcome](resolve, reject)).then(
      onFulfilled,
      onRejected,
    );
  }

  /**
   * Tells the subscriber the outcome (`settled`, `ok` and `value` are set). The dispatcher
   * calls it from a microtask, never inside `run()` or a thread's message loop.
   */
  deliver(): void {
    const callback = this.ok ? this.#fulfilled : this.#rejected;
    if (callback === undefined) {
      this.#pending = true;
      return;
    }
    this.#fulfilled = this.#rejected = undefined;
    callback(this.value);
  }

  handleAbort(reason: unknown): void {
    this.owner.abortTask(this, reason);
  }
}

// A placeholder that keeps the hidden class of these records (see keep-shape.ts).
{
  const record = new TaskRecord({ abortTask() {} }, undefined, 1, undefined);
  record.value = 0;
  record.reason = 0;
  keepShape(record);
}
