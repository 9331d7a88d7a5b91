/**
 * Group: Go's errgroup (golang.org/x/sync/errgroup) for async functions.
 *
 * Lifecycle: a group is *running* until its signal aborts (the first function fails, or
 * the parent signal aborts); from then on it is *failed* for good. A function handed to
 * `go()` is queued (at the limit), then running, then settled; or, if the group fails
 * before it started, skipped (never called).
 */
import type { WaitOptions } from './channel.js';
import { WaitOperation } from './internal/operation.js';
import { RingBuffer } from './internal/ring-buffer.js';
import {
  checkFunction,
  checkInteger,
  checkObject,
  checkSignal,
  optionalSignal,
} from './internal/validate.js';
import { WaiterQueue } from './internal/waiter-queue.js';
import { rejectWith } from './internal/reject-with.js';

const RESOLVED: Promise<void> = Promise.resolve();

/** The options of a {@link Group}. */
export interface GroupOptions {
  /**
   * At most this many functions run at once; `go()` waits for a free slot beyond that.
   * An integer ≥ 1, or `Infinity` (the default: no limit).
   */
  limit?: number | undefined;
  /** A parent signal: aborting it aborts the group's `signal` with the same reason. */
  signal?: AbortSignal | undefined;
}

/** A function run by a group; `signal` is the group's, aborted when the group fails. */
export type GroupFunction = (signal: AbortSignal) => unknown;

interface Queued {
  fn: GroupFunction;
  started: () => void;
}

/**
 * Runs async functions together; the first to fail cancels the rest.
 *
 * - `go(fn)` calls `fn(group.signal)`, waiting first for a free slot when `limit` are
 *   running; the promise it returns resolves once `fn` was started (or skipped) and
 *   never rejects.
 * - The first function to throw or reject aborts `group.signal` with that error.
 * - Once the group's signal is aborted (by a failure or by the parent signal) nothing
 *   more starts: `go()` and the queued calls resolve without calling their function.
 *   Go's errgroup would still start them with a cancelled context; not starting them is
 *   the same outcome, sooner.
 * - `wait()` resolves or rejects once every function handed to `go()` has settled or
 *   was skipped: it rejects with the first error thrown; if none was thrown but a
 *   function was skipped, with the signal's reason. So a `wait()` that resolves means
 *   every function ran and succeeded.
 *
 * @example
 * ```ts
 * const group = new Group({ limit: 4 });
 * for (const n of [1, 2, 3]) {
 *   await group.go(async (signal) => {
 *     if (!signal.aborted && n === 3) throw new RangeError('three');
 *   });
 * }
 * await group.wait().catch((error: unknown) => console.log(String(error))); // RangeError: three
 * ```
 */
export class Group {
  readonly #limit: number;
  readonly #parent: AbortSignal | undefined;
  readonly #controller = new AbortController();
  readonly #queue = new RingBuffer<Queued>();
  readonly #waiters = new WaiterQueue<WaitOperation>();
  #running = 0;
  #failure: { error: unknown } | undefined;
  #skipped = false;
  #listening = false;
  readonly #onParentAbort = (): void => this.#abort(this.#parent!.reason);

  constructor(options: GroupOptions = {}) {
    const opts = checkObject('options', options);
    this.#limit = opts.limit === undefined ? Infinity : checkInteger('limit', opts.limit, 1, true);
    this.#parent = opts.signal === undefined ? undefined : checkSignal('signal', opts.signal);
  }

  /** Aborted with the first error, or with the parent signal's reason. */
  get signal(): AbortSignal {
    if (this.#parent?.aborted) this.#abort(this.#parent.reason);
    return this.#controller.signal;
  }

  /** The limit on functions running at once. */
  get limit(): number {
    return this.#limit;
  }

  /** How many functions run now. */
  get running(): number {
    return this.#running;
  }

  /** How many `go()` calls wait for a slot. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Runs `fn(signal)` in the group. Resolves once it started; at the limit, waits for a
   * slot first (first come, first served). Resolves without calling `fn` once the group
   * has failed. Never rejects.
   */
  go(fn: GroupFunction): Promise<void> {
    checkFunction('fn', fn);
    if (this.signal.aborted) {
      this.#skipped = true;
      return RESOLVED;
    }
    if (this.#running < this.#limit) {
      this.#start(fn);
      return RESOLVED;
    }
    return new Promise<void>((started) => {
      this.#queue.push({ fn, started });
      this.#busy();
    });
  }

  /**
   * Waits until every function handed to `go()` settled or was skipped. Rejects with the
   * first error thrown, or (none thrown, some skipped) with the signal's reason. Rejects
   * with `options.signal.reason` if that aborts first; the group is not affected.
   */
  wait(options?: WaitOptions): Promise<void> {
    const signal = optionalSignal(options);
    if (signal?.aborted) return rejectWith(signal.reason);
    if (this.#running === 0 && this.#queue.length === 0) return this.#outcome();
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push(new WaitOperation(resolve, reject, signal));
    });
  }

  #start(fn: GroupFunction): void {
    this.#running++;
    this.#busy();
    void this.#run(fn);
  }

  async #run(fn: GroupFunction): Promise<void> {
    try {
      await fn(this.#controller.signal);
    } catch (error) {
      if (this.#failure === undefined) {
        this.#failure = { error };
        this.#abort(error);
      }
    } finally {
      this.#running--;
      this.#next();
    }
  }

  /** Starts queued calls while there is a slot; settles the waiters once idle. */
  #next(): void {
    while (this.#running < this.#limit && this.#queue.length > 0) {
      const queued = this.#queue.shift()!;
      this.#start(queued.fn);
      queued.started();
    }
    if (this.#running === 0 && this.#queue.length === 0) this.#idle();
  }

  /** Fails the group: aborts its signal, and skips every queued call. */
  #abort(reason: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(reason);
    for (let q = this.#queue.shift(); q !== undefined; q = this.#queue.shift()) {
      this.#skipped = true;
      q.started();
    }
    if (this.#running === 0) this.#idle();
  }

  /** Work is pending: follow the parent signal (only while busy, so no listener leaks). */
  #busy(): void {
    if (this.#parent !== undefined && !this.#listening) {
      this.#listening = true;
      this.#parent.addEventListener('abort', this.#onParentAbort);
    }
  }

  #idle(): void {
    if (this.#listening) {
      this.#listening = false;
      this.#parent!.removeEventListener('abort', this.#onParentAbort);
    }
    if (this.#waiters.length === 0) return;
    const failed = this.#failure !== undefined || this.#skipped;
    const reason: unknown =
      this.#failure !== undefined ? this.#failure.error : this.#controller.signal.reason;
    for (let w = this.#waiters.shift(); w !== null; w = this.#waiters.shift()) {
      if (failed) w.fail(reason);
      else w.settle();
    }
  }

  #outcome(): Promise<void> {
    if (this.#failure !== undefined) return rejectWith(this.#failure.error);
    if (this.#skipped) return rejectWith(this.#controller.signal.reason);
    return RESOLVED;
  }
}
