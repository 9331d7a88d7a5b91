/**
 * `pool.map(jobs)`: a pull-based stream of results. It pulls the next job only while fewer
 * than `2 × concurrency` jobs are pulled but not yet yielded (in ordered mode too, where a
 * slow head of the line holds the window), so memory stays bounded however long the input.
 *
 * How it ends: when the input is exhausted and every result has been yielded. If the
 * input throws, or the pool stops accepting before the input is exhausted
 * (`PoolClosedError`), the results of jobs already pulled are still yielded, then the
 * iteration throws. If `signal` aborts, jobs in flight are cancelled and the iteration
 * throws `signal.reason` at once. `break` (the iterator's `return()`) cancels jobs in
 * flight and closes the input.
 */
import { AsyncResource } from 'node:async_hooks';
import { PoolClosedError } from '../errors.js';
import { RingBuffer } from '../internal/ring-buffer.js';
import type { PoolEngine } from './engine.js';
import {
  SUCCEEDED,
  TaskConfig,
  TaskRecord,
  abortError,
  type Result,
  type TaskSink,
} from './task.js';

type Resolve<J, R> = (result: IteratorResult<Result<J, R>, undefined>) => void;
type Reject = (error: unknown) => void;

// One executor for every pending next(), so that waiting allocates no closure.
let nextResolve: Resolve<never, never> | undefined;
let nextReject: Reject | undefined;
function capture(resolve: Resolve<never, never>, reject: Reject): void {
  nextResolve = resolve;
  nextReject = reject;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

export class MapIterator<J, R> implements AsyncIterableIterator<Result<J, R>>, TaskSink<J, R> {
  readonly #engine: PoolEngine<J, R>;
  readonly #jobs: Iterable<J> | AsyncIterable<J>;
  readonly #ordered: boolean;
  readonly #signal: AbortSignal | undefined;
  /** The context of the `map()` call, where its handlers run (see `PoolOptions.asyncContext`). */
  readonly #context: AsyncResource | undefined;
  #config: TaskConfig<J, R> | undefined = undefined;
  #source: Iterator<J> | AsyncIterator<J> | undefined = undefined;
  #async = false;
  /** Ordered: every pulled, not yet yielded task, in input order. Unordered: settled ones. */
  #window = new RingBuffer<TaskRecord<J, R>>();
  /** Pulled, not yet yielded. */
  #held = 0;
  #exhausted = false;
  #pulling = false;
  #pumping = false;
  #stopped = false;
  #failed = false;
  #failure: unknown = undefined;
  /** Pending `next()` calls (more than one only if the consumer does not await each). */
  #resolvers = new RingBuffer<Resolve<J, R>>(4);
  #rejecters = new RingBuffer<Reject>(4);

  constructor(
    engine: PoolEngine<J, R>,
    jobs: Iterable<J> | AsyncIterable<J>,
    ordered: boolean,
    signal: AbortSignal | undefined,
  ) {
    this.#engine = engine;
    this.#jobs = jobs;
    this.#ordered = ordered;
    this.#signal = signal;
    this.#context = engine.options.captureContext ? new AsyncResource('crew.map') : undefined;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Result<J, R>, undefined>> {
    if (this.#source === undefined && !this.#stopped) this.#start();
    const ready = this.#take();
    if (ready !== undefined) {
      this.#pump();
      return Promise.resolve({ value: ready, done: false });
    }
    if (this.#finished()) return this.#end();
    const promise = new Promise<IteratorResult<Result<J, R>, undefined>>(
      capture as (resolve: Resolve<J, R>, reject: Reject) => void,
    );
    this.#resolvers.push(nextResolve as Resolve<J, R>);
    this.#rejecters.push(nextReject!);
    this.#pump();
    return promise;
  }

  return(): Promise<IteratorResult<Result<J, R>, undefined>> {
    this.#stop(abortError(), false);
    return Promise.resolve(DONE);
  }

  #start(): void {
    const signal = this.#signal;
    if (signal?.aborted) {
      this.#stopped = true;
      this.#fail(signal.reason);
      return;
    }
    signal?.addEventListener('abort', this);
    const jobs = this.#jobs as Partial<AsyncIterable<J> & Iterable<J>>;
    try {
      if (typeof jobs[Symbol.asyncIterator] === 'function') {
        this.#source = jobs[Symbol.asyncIterator]!();
        this.#async = true;
      } else {
        this.#source = jobs[Symbol.iterator]!();
      }
    } catch (error) {
      this.#stopped = true;
      this.#fail(error);
    }
  }

  /** The signal's abort listener. */
  handleEvent(): void {
    this.#stop(this.#signal!.reason, true);
  }

  /** Stops pulling, cancels jobs in flight, closes the input; `fail` makes the iteration throw `reason`. */
  #stop(reason: unknown, fail: boolean): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#signal?.removeEventListener('abort', this);
    if (fail && !this.#failed) {
      this.#failed = true;
      this.#failure = reason;
    }
    this.#window.clear();
    this.#held = 0;
    // settled() ignores these cancellations: the map is stopped.
    if (this.#config !== undefined) this.#engine.cancelAll(this.#config, reason);
    const source = this.#source;
    if (source?.return !== undefined && !this.#exhausted) {
      try {
        const closing = source.return();
        if (closing instanceof Promise) closing.catch(() => {});
      } catch {
        // The input failed to close; there is no one left to tell.
      }
    }
    this.#settleWaiter();
  }

  #fail(error: unknown): void {
    if (!this.#failed) {
      this.#failed = true;
      this.#failure = error;
    }
    this.#settleWaiter();
  }

  /** Whether nothing more will be yielded. */
  #finished(): boolean {
    return (
      this.#held === 0 && (this.#stopped || ((this.#exhausted || this.#failed) && !this.#pulling))
    );
  }

  /** The end of the iteration: done, or the failure (once). */
  #end(): Promise<IteratorResult<Result<J, R>, undefined>> {
    this.#signal?.removeEventListener('abort', this);
    if (this.#failed) {
      const failure = this.#failure;
      this.#failed = false;
      this.#failure = undefined;
      this.#stopped = true;
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the input's or signal's own reason
      return Promise.reject(failure);
    }
    return Promise.resolve(DONE);
  }

  /** The next result that can be yielded now, if any. */
  #take(): Result<J, R> | undefined {
    const head = this.#window.peek();
    if (head === undefined || !head.settled) return undefined;
    this.#window.shift();
    this.#held--;
    return head.state === SUCCEEDED
      ? { job: head.job, ok: true, value: head.outcome as R, attempts: head.attempts }
      : { job: head.job, ok: false, error: head.outcome, attempts: head.attempts };
  }

  /** Hands ready results (or the end) to waiting `next()` calls. */
  #settleWaiter(): void {
    while (this.#resolvers.length > 0) {
      const ready = this.#take();
      if (ready !== undefined) {
        this.#rejecters.shift();
        this.#resolvers.shift()!({ value: ready, done: false });
      } else if (this.#finished()) {
        const resolve = this.#resolvers.shift()!;
        const reject = this.#rejecters.shift()!;
        this.#end().then(resolve, reject);
      } else {
        return;
      }
    }
  }

  /** Task settled (TaskSink). */
  settled(t: TaskRecord<J, R>): void {
    if (this.#stopped) return;
    if (!this.#ordered) this.#window.push(t);
    this.#settleWaiter();
    this.#pump();
  }

  /** Pulls jobs while the window has room. */
  #pump(): void {
    if (this.#pumping || this.#pulling || this.#stopped || this.#source === undefined) return;
    this.#pumping = true;
    try {
      const room = 2 * this.#engine.concurrency;
      while (!this.#exhausted && !this.#failed && this.#held < room) {
        if (!this.#engine.accepting) {
          this.#fail(new PoolClosedError());
          break;
        }
        let step: IteratorResult<J> | Promise<IteratorResult<J>>;
        try {
          step = this.#source.next();
        } catch (error) {
          this.#fail(error);
          break;
        }
        if (this.#async) {
          this.#pulling = true;
          (step as Promise<IteratorResult<J>>).then(this.#onPulled, this.#onPullFailed);
          break;
        }
        const pulled = step as IteratorResult<J>;
        if (pulled.done === true) this.#exhausted = true;
        else this.#submit(pulled.value);
      }
    } finally {
      this.#pumping = false;
    }
    if (this.#finished()) this.#settleWaiter();
  }

  #onPulled = (step: IteratorResult<J>): void => {
    this.#pulling = false;
    if (this.#stopped) return;
    if (step.done === true) this.#exhausted = true;
    else if (!this.#engine.accepting) this.#fail(new PoolClosedError());
    else this.#submit(step.value);
    this.#pump();
    this.#settleWaiter();
  };

  #onPullFailed = (error: unknown): void => {
    this.#pulling = false;
    if (this.#stopped) return;
    this.#fail(error);
  };

  #submit(job: J): void {
    this.#config ??= new TaskConfig<J, R>(
      this.#engine,
      undefined,
      0,
      this.#engine.defaults.timeout,
      this.#engine.defaults.retry,
      undefined,
      this,
    );
    const task = new TaskRecord<J, R>(this.#config, job);
    task.context = this.#context;
    this.#held++;
    if (this.#ordered) this.#window.push(task);
    this.#engine.put(task, true);
  }
}
