/**
 * Pool<J, R>: a fixed number of workers run a handler over jobs pulled from a bounded
 * queue, with retries, timeouts, priorities, a rate limit, cancellation and statistics.
 * This file is the public facade: it checks every argument and hands the engine
 * (`engine.ts`) only values it can trust.
 */
import type { Channel as ChannelType } from '../channel.js';
import { Channel, isChannel } from '../channel.js';
import { InvalidOptionError, PoolClosedError, unknownOption } from '../errors.js';
import { checkBoolean, checkFunction, checkObject, checkSignal } from '../internal/validate.js';
import { PoolEngine } from './engine.js';
import type { PoolEventListener, PoolEvents } from './events.js';
import { MapIterator } from './map.js';
import {
  checkConcurrency,
  resolvePoolOptions,
  resolveTaskOptions,
  type PoolOptions,
  type TaskOptions,
} from './options.js';
import type { PoolStats } from './stats.js';
import {
  SubmitWaiter,
  TaskConfig,
  TaskRecord,
  abortError,
  type Handler,
  type Result,
  type Task,
} from './task.js';

/** The options of `pool.map()`. */
export interface MapOptions {
  /** Yield results in input order (a slow job then holds back later results). Default `false`: as they settle. */
  ordered?: boolean;
  /** Aborting it cancels the jobs in flight and makes the iteration throw `signal.reason`. */
  signal?: AbortSignal;
}

const asyncDispose: typeof Symbol.asyncDispose =
  Symbol.asyncDispose ?? (Symbol.for('nodejs.asyncDispose') as typeof Symbol.asyncDispose);

/**
 * A pool of workers that run `handler` over jobs: at most `concurrency` handlers at once,
 * the rest waiting in a queue of at most `queueSize` tasks.
 *
 * - `run(job)` settles with the handler's outcome; `submit(job)` resolves once the job is
 *   queued (Go's `jobs <- job`: it waits while the queue is full) and hands back a `Task`;
 *   `trySubmit(job)` never waits; `map(jobs)` streams results, pulling jobs as room frees;
 *   `process(channel)` is the seed's shape, channel in, channel out.
 * - A task that can start at once starts synchronously, inside the call that handed it
 *   over; the handler always runs in the async context (AsyncLocalStorage) of that call.
 * - `close()` accepts nothing more and resolves once everything settled (retries
 *   included); `abort()` also cancels what is queued or running. After either resolves, no
 *   handler of the pool runs or will run, and every promise the pool handed out has settled.
 * - While `pause()`d, hand-overs are accepted and queued as usual, but nothing starts.
 * - No promise the pool hands out causes an unhandled rejection when ignored; outcomes
 *   are also visible through events and `stats`.
 *
 * @example
 * ```ts
 * import { Pool } from 'crew';
 * const pool = new Pool(async (n: number) => n * 2, { concurrency: 4 });
 * for await (const r of pool.map([1, 2, 3])) if (r.ok) console.log(r.job, '→', r.value);
 * await pool.close();
 * ```
 */
export class Pool<J, R> {
  readonly #engine: PoolEngine<J, R>;
  #detachSignal: (() => void) | undefined;

  /**
   * @param handler Runs one job: `(job, { signal, attempt }) => result | Promise<result>`.
   * @param options See {@link PoolOptions}; every option is checked here.
   * @throws InvalidOptionError (`CREW_INVALID_OPTION`) for a bad handler or option.
   */
  constructor(handler: Handler<J, R>, options?: PoolOptions) {
    checkFunction('handler', handler);
    const resolved = resolvePoolOptions(options);
    this.#engine = new PoolEngine(handler, resolved);
    resolved.attach?.({ stopAccepting: () => this.#engine.stopAccepting() });
    const signal = resolved.signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        void this.abort(signal.reason);
      } else {
        const onAbort = (): void => void this.abort(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        this.#detachSignal = () => signal.removeEventListener('abort', onAbort);
      }
    }
  }

  #task(job: J, options: TaskOptions | undefined): TaskRecord<J, R> {
    const engine = this.#engine;
    if (options === undefined) return new TaskRecord(engine.defaults, job);
    const t = resolveTaskOptions(options, engine.options.taskChecks);
    const config = new TaskConfig<J, R>(
      engine,
      options as Readonly<Record<string, unknown>>,
      t.priority,
      t.timeout ?? engine.defaults.timeout,
      t.retry === undefined ? engine.defaults.retry : (t.retry ?? undefined),
      t.signal,
      undefined,
    );
    return new TaskRecord(config, job);
  }

  /**
   * Runs `job` and settles with the handler's value, or rejects with the last attempt's
   * error, the cancellation reason, or {@link PoolClosedError} after `close()`/`abort()`.
   * Waits for room while the queue is full.
   * @throws InvalidOptionError for bad task options.
   */
  run(job: J, options?: TaskOptions): Promise<R> {
    const engine = this.#engine;
    const task = this.#task(job, options);
    if (!engine.accepting) return Promise.reject(new PoolClosedError());
    const promise = task.promise();
    const signal = task.config.signal;
    if (signal?.aborted) engine.cancel(task, signal.reason);
    else engine.put(task, true);
    return promise;
  }

  /**
   * Hands `job` over and resolves with its {@link Task} once it is queued (or started),
   * waiting while the queue is full: Go's `jobs <- job`. With `queueSize: 0` it waits until
   * a worker takes the job. Rejects with {@link PoolClosedError} after `close()`/`abort()`;
   * if the pool is aborted (or `signal` aborts) while this waits, rejects with the reason.
   * A task whose signal is already aborted is handed back settled: it never runs.
   * @throws InvalidOptionError for bad task options.
   */
  submit(job: J, options?: TaskOptions): Promise<Task<R>> {
    const engine = this.#engine;
    const task = this.#task(job, options);
    if (!engine.accepting) return Promise.reject(new PoolClosedError());
    const signal = task.config.signal;
    if (signal?.aborted) {
      engine.cancel(task, signal.reason);
      return Promise.resolve(task);
    }
    if (engine.put(task, true)) return Promise.resolve(task);
    return new Promise<Task<R>>((resolve, reject) => {
      task.outcome = new SubmitWaiter<R>(resolve, reject);
    });
  }

  /**
   * Hands `job` over if that needs no waiting and returns its {@link Task}; returns
   * `undefined` (and hands nothing over) where `submit` would wait.
   * @throws PoolClosedError after `close()`/`abort()`; InvalidOptionError for bad task options.
   */
  trySubmit(job: J, options?: TaskOptions): Task<R> | undefined {
    const engine = this.#engine;
    const task = this.#task(job, options);
    if (!engine.accepting) throw new PoolClosedError();
    const signal = task.config.signal;
    if (signal?.aborted) {
      engine.cancel(task, signal.reason);
      return task;
    }
    return engine.put(task, false) ? task : undefined;
  }

  /**
   * Runs every job of `jobs` and yields a {@link Result} per job: as they settle, or in
   * input order with `ordered: true`. A failed job is a result with `ok: false`, not a
   * thrown error. Jobs are pulled only while fewer than `2 × concurrency` are pulled but
   * not yet yielded, so memory stays bounded however long the input. Pulling starts with
   * the first `next()`.
   *
   * The iteration throws when the input throws or when the pool stops accepting before the
   * input is exhausted ({@link PoolClosedError}), in both cases after yielding the results
   * of the jobs already pulled; and at once with `signal.reason` when `signal` aborts
   * (jobs in flight are cancelled). Leaving the loop early (`break`) cancels jobs in flight
   * and closes the input.
   * @throws InvalidOptionError for bad arguments.
   */
  map(
    jobs: Iterable<J> | AsyncIterable<J>,
    options?: MapOptions,
  ): AsyncIterableIterator<Result<J, R>> {
    const source = jobs as Partial<Iterable<J> & AsyncIterable<J>> | null | undefined;
    if (
      source === null ||
      (typeof source !== 'object' && typeof source !== 'function') ||
      (typeof source[Symbol.iterator] !== 'function' &&
        typeof source[Symbol.asyncIterator] !== 'function')
    ) {
      throw new InvalidOptionError('jobs', jobs, 'an iterable or async iterable');
    }
    let ordered = false;
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      const o = checkObject('options', options);
      for (const key of Object.keys(o)) {
        if (key !== 'ordered' && key !== 'signal') {
          throw unknownOption(key, o[key], ['ordered', 'signal']);
        }
      }
      if (o.ordered !== undefined) ordered = checkBoolean('ordered', o.ordered);
      if (o.signal !== undefined) signal = checkSignal('signal', o.signal);
    }
    return new MapIterator(this.#engine, jobs, ordered, signal);
  }

  /**
   * The seed's shape: runs every job received from `jobs` and sends its {@link Result} on
   * the returned channel (unbuffered by default), as results settle. The results channel
   * closes once `jobs` is closed and drained and every task settled, or once the pool
   * stops accepting. If nobody receives, the pool stops taking jobs: backpressure reaches
   * the senders on `jobs`.
   * @param capacity The results channel's buffer: an integer ≥ 0. Default 0.
   */
  process(jobs: ChannelType<J>, capacity = 0): Channel<Result<J, R>> {
    if (!isChannel(jobs)) throw new InvalidOptionError('jobs', jobs, 'a Channel');
    const results = new Channel<Result<J, R>>(capacity);
    const iterator = new MapIterator(this.#engine, jobs, false, undefined);
    void (async () => {
      try {
        for await (const result of iterator) await results.send(result);
      } catch {
        // The pool stopped accepting; closing the results channel says so.
      } finally {
        results.close();
      }
    })();
    return results;
  }

  /**
   * Accepts nothing more, resumes a paused pool, runs everything queued (retries
   * included), and resolves once every task settled and no handler runs. Hand-overs
   * already waiting for room are still accepted. Idempotent.
   */
  close(): Promise<void> {
    return this.#finally(this.#engine.close());
  }

  /**
   * Accepts nothing more; rejects waiting hand-overs and queued tasks (they never start)
   * and tasks waiting to retry with `reason`; aborts running tasks' `ctx.signal` with
   * `reason` and settles them at once. Resolves once every handler has returned.
   * `reason` defaults to an `AbortError` `DOMException`. Idempotent: later calls keep the
   * first reason.
   */
  abort(reason?: unknown): Promise<void> {
    return this.#finally(this.#engine.abort(reason === undefined ? abortError() : reason));
  }

  /** Once the pool is done, stops listening to its signal (until then, it can still abort a closing pool). */
  #finally(done: Promise<void>): Promise<void> {
    if (this.#detachSignal !== undefined) {
      void done.then(() => {
        this.#detachSignal?.();
        this.#detachSignal = undefined;
      });
    }
    return done;
  }

  /** Resolves once nothing is queued, waiting for room, running or waiting to retry. */
  onIdle(): Promise<void> {
    return this.#engine.onIdle();
  }

  /** Stops starting tasks; running ones go on. Hand-overs are still accepted and queued. */
  pause(): void {
    this.#engine.pause();
  }

  /** Starts tasks again after `pause()`. */
  resume(): void {
    this.#engine.resume();
  }

  get paused(): boolean {
    return this.#engine.paused;
  }

  /** Whether the pool no longer accepts jobs (after `close()` or `abort()`). */
  get closed(): boolean {
    return !this.#engine.accepting;
  }

  /**
   * How many handlers run at once. Setting it resizes at once: raising it starts waiting
   * tasks now; lowering it lets running handlers finish and retires workers as they free up.
   * @throws InvalidOptionError unless an integer ≥ 1.
   */
  get concurrency(): number {
    return this.#engine.concurrency;
  }

  set concurrency(value: number) {
    this.#engine.setConcurrency(checkConcurrency(value));
  }

  /** A snapshot of the pool's counters and timing summaries. */
  get stats(): PoolStats {
    return this.#engine.snapshot();
  }

  /**
   * Listens to an event (see {@link PoolEvents}); returns a function that removes the
   * listener. Listeners run synchronously; one that throws is reported with
   * `process.emitWarning` and never breaks the pool.
   */
  on<K extends keyof PoolEvents<J, R>>(
    event: K,
    listener: PoolEventListener<PoolEvents<J, R>[K]>,
  ): () => void {
    checkFunction('listener', listener);
    return this.#engine.report.events.on(event, listener);
  }

  /** Like `on`, for one call; remove it early with the returned function (not with `off`). */
  once<K extends keyof PoolEvents<J, R>>(
    event: K,
    listener: PoolEventListener<PoolEvents<J, R>[K]>,
  ): () => void {
    checkFunction('listener', listener);
    return this.#engine.report.events.once(event, listener);
  }

  /** Removes a listener added with `on`/`once`. */
  off<K extends keyof PoolEvents<J, R>>(
    event: K,
    listener: PoolEventListener<PoolEvents<J, R>[K]>,
  ): void {
    this.#engine.report.events.off(event, listener);
  }

  /** `await using pool = new Pool(...)`: closes the pool (see `close()`). */
  [asyncDispose](): Promise<void> {
    return this.close();
  }
}
