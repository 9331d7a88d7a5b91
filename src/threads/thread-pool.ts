/**
 * ThreadPool<J, R>: the Pool, with its handler run on worker threads. This file is the
 * public facade: it checks the thread options, starts the dispatcher (the engine that
 * owns the threads) and composes a `Pool` whose handler sends each attempt to a thread,
 * so that queueing, priorities, retries, timeouts, the rate limit, stats and events are
 * the Pool's own, not a copy.
 */
import { availableParallelism } from 'node:os';
import type { Transferable } from 'node:worker_threads';
import { PoolClosedError } from '../errors.js';
import type { TaskRecord } from './task-record.js';
import { Pool, type MapOptions } from '../pool/pool.js';
import {
  kOnAbort,
  kPoolExtension,
  kTaskOptions,
  type AbortListener,
  type InternalContext,
  type PoolControls,
} from '../pool/internal.js';
import type { PoolEventListener, PoolEvents } from '../pool/events.js';
import type { PoolStats } from '../pool/stats.js';
import type { HandlerContext, Result, Task } from '../pool/task.js';
import type { Channel } from '../channel.js';
import { MIN_DEPTH } from './depth-advisor.js';
import { Dispatcher, type AbortSource } from './dispatcher.js';
import type { ThreadStats } from './thread.js';
import { locateEntry, threadExecArgv } from './locate-entry.js';
import {
  THREAD_KEYS,
  checkTransfer,
  resolveThreadOptions,
  type ThreadPoolOptions,
  type ThreadTaskOptions,
} from './options.js';
import { rejectWithCallerStack } from './caller-stack.js';

/** `pool.stats` of a ThreadPool: the Pool's numbers, and each thread's. */
export interface ThreadPoolStats extends PoolStats {
  /** One entry per live thread. */
  readonly threads: readonly ThreadStats[];
}

const asyncDispose: typeof Symbol.asyncDispose =
  Symbol.asyncDispose ?? (Symbol.for('nodejs.asyncDispose') as typeof Symbol.asyncDispose);

/**
 * A Pool whose handler runs on worker threads: for CPU-bound jobs. The handler is the
 * default export of `module` (a path, relative to the working directory, or a `file:`
 * URL; `.js`, `.mjs`, `.cjs`, and `.ts` with tsx installed). Every method, option and
 * guarantee of `Pool` holds; jobs and results cross threads by structured clone (or
 * move, with `transfer`).
 *
 * - Inside the thread the handler gets `ctx.signal` and `ctx.attempt`; the signal aborts
 *   when the task is cancelled, times out, or the pool aborts. A handler still running
 *   `terminateGrace` ms after that has its thread terminated and replaced.
 * - A thread that crashes (uncaught exception, unhandled rejection, `process.exit()`,
 *   out of `resourceLimits` memory) fails the tasks it was running with
 *   `ThreadCrashError` (retried where retries allow); tasks it had not started run on
 *   another thread. It is replaced and the pool goes on.
 * - A module that does not load, or has no default function export, fails tasks with
 *   `InvalidModuleError` (`CREW_MODULE_INVALID`), and new threads are tried with backoff.
 * - A handler's error arrives with its `name`, `message`, `stack`, `code`, `cause` and own
 *   properties (built-in classes stay themselves); `run()` adds the caller's async stack.
 * - `close()` runs what is queued, then stops the threads; an idle pool never keeps the
 *   process alive, and a pool with work in flight does.
 *
 * @example
 * ```ts nocheck
 * import { ThreadPool } from 'crew/threads';
 * const pool = new ThreadPool<number, number>(new URL('./fib.js', import.meta.url), { threads: 2 });
 * console.log(await pool.run(30));
 * await pool.close();
 * ```
 */
export class ThreadPool<J, R> {
  readonly #pool: Pool<J, R>;
  readonly #dispatcher: Dispatcher;
  readonly #threadsMax: number;
  /** Whether `concurrency` follows the dispatcher's advice (it was never set). */
  #adaptive: boolean;
  /** Paused by the user (`pause()`), as opposed to waiting for the first thread. */
  #userPaused = false;
  /** Whether the dispatcher has a thread up to take tasks (see `Dispatcher.gateOpen`). */
  #gateOpen = false;
  /** `close()` was called: nothing more is accepted, even before the Pool itself closes. */
  #closing = false;
  /** The Pool's extra controls (see `PoolControls`), handed over by its constructor. */
  #controls: PoolControls | undefined;
  #gateWaiter: (() => void) | undefined;
  #detachSignal: (() => void) | undefined;

  /**
   * @param module The handler module: a path or a `file:` URL.
   * @param options See {@link ThreadPoolOptions}; every option is checked here.
   * @throws InvalidOptionError (`CREW_INVALID_OPTION`) for a bad module argument or option.
   */
  constructor(module: string | URL, options?: ThreadPoolOptions) {
    const settings = resolveThreadOptions(module, options);
    const location = locateEntry(settings.module);
    const adaptive = settings.concurrency === undefined;
    this.#adaptive = adaptive;
    this.#threadsMax = settings.max;
    const dispatcher = new Dispatcher({
      spec: {
        entry: location.entry,
        eval: location.eval,
        data: { module: settings.module, preload: location.preload },
        resourceLimits: settings.resourceLimits,
        execArgv: threadExecArgv(process.execArgv),
        env: undefined,
      },
      min: settings.min,
      max: settings.max,
      idleTimeout: settings.idleTimeout,
      terminateGrace: settings.terminateGrace,
      // With one core there is never one free to stay awake on.
      idleSpin: availableParallelism() > 1 ? settings.idleSpin : 0,
      onDepth: adaptive ? (depth) => this.#adapt(depth) : undefined,
      onGate: (open) => this.#gate(open),
      // The dispatcher starts `min` threads before the Pool exists: no work yet then.
      hasWork: () => ((this.#pool as Pool<J, R> | undefined)?.stats.queued ?? 0) > 0,
    });
    this.#dispatcher = dispatcher;
    const dispatch = (job: J, ctx: HandlerContext): PromiseLike<R> => {
      const internal = ctx as HandlerContext & InternalContext;
      const transfer = internal[kTaskOptions]?.transfer as readonly Transferable[] | undefined;
      return dispatcher.run(
        job,
        ctx.attempt,
        transfer,
        typeof internal[kOnAbort] === 'function' ? internal : signalSource(ctx.signal),
      ) as PromiseLike<R>;
    };
    try {
      this.#pool = new Pool<J, R>(dispatch, {
        ...options,
        concurrency: settings.concurrency ?? settings.max * MIN_DEPTH,
        [kPoolExtension]: {
          poolOptions: THREAD_KEYS,
          taskOptions: { transfer: checkTransfer },
          // The handler runs in a thread, where the submitter's AsyncLocalStorage is not
          // visible: capturing it for every queued task would only cost time and memory.
          captureContext: false,
          // A thread's error gets the frames of whoever awaits the task.
          rejectTask: rejectWithCallerStack,
          // A task may wait in its thread behind others: its timeout counts from its start.
          startedAt: (record: unknown) => dispatcher.startedAt(record as TaskRecord),
          attach: (controls: PoolControls) => {
            this.#controls = controls;
          },
        },
      } as ThreadPoolOptions);
    } catch (error) {
      void dispatcher.close();
      throw error;
    }
    // No thread is up yet: tasks wait in the queue, their clocks not started, until one is.
    this.#gateOpen = dispatcher.gateOpen;
    if (!this.#gateOpen) this.#pool.pause();
    if (options?.signal !== undefined) this.#abortOn(options.signal);
  }

  /** The Pool aborts itself on the pool's `signal`; the threads must stop then too. */
  #abortOn(signal: AbortSignal): void {
    const onAbort = (): void => void this.abort(signal.reason);
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      this.#detachSignal = () => signal.removeEventListener('abort', onAbort);
    }
  }

  /** Work arrives: while no thread is up, one must be starting, and keep the process alive. */
  #handOver(): void {
    if (!this.#gateOpen) this.#dispatcher.wake();
  }

  #gate(open: boolean): void {
    this.#gateOpen = open;
    if (open) {
      this.#gateWaiter?.();
      this.#gateWaiter = undefined;
      // A closing pool runs what is queued even if the user had paused it.
      if (!this.#userPaused || this.#closing) this.#pool.resume();
    } else {
      // Wait for a thread to come up; closing waits too (it resumes when one is up).
      this.#pool.pause();
    }
  }

  #adapt(depth: number): void {
    if (this.#adaptive && !this.#pool.closed) this.#pool.concurrency = this.#threadsMax * depth;
  }

  /**
   * Runs `job` on a thread and settles with the handler's value, or rejects with the last
   * attempt's error (its stack followed by the awaiting caller's), the cancellation
   * reason, or `PoolClosedError`. Waits for room while the queue is full.
   * @throws InvalidOptionError for bad task options.
   */
  run(job: J, options?: ThreadTaskOptions): Promise<R> {
    if (this.#closing) return Promise.reject(new PoolClosedError());
    this.#handOver();
    return this.#pool.run(job, options);
  }

  /**
   * Like `Pool.submit`: resolves with the {@link Task} once it is queued (or started). A
   * thread's error from `task.result` ends with the awaiting caller's frames, as in `run()`.
   */
  submit(job: J, options?: ThreadTaskOptions): Promise<Task<R>> {
    if (this.#closing) return Promise.reject(new PoolClosedError());
    this.#handOver();
    return this.#pool.submit(job, options);
  }

  /** Like `Pool.trySubmit`: hands `job` over only if that needs no waiting. */
  trySubmit(job: J, options?: ThreadTaskOptions): Task<R> | undefined {
    if (this.#closing) throw new PoolClosedError();
    this.#handOver();
    return this.#pool.trySubmit(job, options);
  }

  /** Like `Pool.map`: a {@link Result} per job, pulling jobs only as room frees. */
  map(
    jobs: Iterable<J> | AsyncIterable<J>,
    options?: MapOptions,
  ): AsyncIterableIterator<Result<J, R>> {
    this.#handOver();
    return this.#pool.map(jobs, options);
  }

  /** Like `Pool.process`: the seed's shape, channel in, channel out. */
  process(jobs: Channel<J>, capacity = 0): Channel<Result<J, R>> {
    this.#handOver();
    return this.#pool.process(jobs, capacity);
  }

  /**
   * Accepts nothing more, runs everything queued, then stops the threads. Resolves once
   * every task settled and every thread is gone. Idempotent.
   */
  async close(): Promise<void> {
    this.#detach();
    if (!this.#closing) {
      this.#closing = true;
      // Nothing more comes in from now on, through `map()` and `process()` too...
      this.#controls!.stopAccepting();
      // ...but closing resumes the queue; let it wait for a thread that is up, as it would
      // have, so that no queued task's timeout counts a thread's start-up.
      if (!this.#gateOpen && this.#pool.stats.queued > 0) {
        await new Promise<void>((resolve) => {
          this.#gateWaiter = resolve;
        });
      }
    }
    await this.#pool.close();
    await this.#dispatcher.close();
  }

  /**
   * Accepts nothing more, rejects what is queued with `reason`, aborts running tasks'
   * `ctx.signal` in their threads (a handler that ignores it past `terminateGrace` has its
   * thread terminated), then stops the threads. Idempotent.
   */
  async abort(reason?: unknown): Promise<void> {
    this.#detach();
    const aborting = this.#pool.abort(reason);
    // A close() waiting for a thread to come up has nothing left to wait for.
    this.#gateWaiter?.();
    this.#gateWaiter = undefined;
    await aborting;
    await this.#dispatcher.close();
  }

  #detach(): void {
    this.#detachSignal?.();
    this.#detachSignal = undefined;
  }

  /** Resolves once nothing is queued, running or waiting to retry. */
  onIdle(): Promise<void> {
    return this.#pool.onIdle();
  }

  /** Stops starting tasks; tasks already on threads go on. Hand-overs are still queued. */
  pause(): void {
    this.#userPaused = true;
    this.#pool.pause();
  }

  /** Starts tasks again after `pause()`. */
  resume(): void {
    this.#userPaused = false;
    if (this.#gateOpen) this.#pool.resume();
  }

  get paused(): boolean {
    return this.#userPaused;
  }

  /** Whether the pool no longer accepts jobs. */
  get closed(): boolean {
    return this.#closing || this.#pool.closed;
  }

  /**
   * How many tasks may be in flight on threads at once (see `ThreadPoolOptions.concurrency`).
   * Setting it fixes it (no more adapting) and resizes at once.
   * @throws InvalidOptionError unless an integer ≥ 1.
   */
  get concurrency(): number {
    return this.#pool.concurrency;
  }

  set concurrency(value: number) {
    this.#pool.concurrency = value;
    this.#adaptive = false;
  }

  /** A snapshot of the pool's counters, with each live thread's. */
  get stats(): ThreadPoolStats {
    return { ...this.#pool.stats, threads: this.#dispatcher.stats() };
  }

  /** Listens to an event (see `PoolEvents`); returns a function that removes the listener. */
  on<K extends keyof PoolEvents<J, R>>(
    event: K,
    listener: PoolEventListener<PoolEvents<J, R>[K]>,
  ): () => void {
    return this.#pool.on(event, listener);
  }

  /** Like `on`, for one call. */
  once<K extends keyof PoolEvents<J, R>>(
    event: K,
    listener: PoolEventListener<PoolEvents<J, R>[K]>,
  ): () => void {
    return this.#pool.once(event, listener);
  }

  /** Removes a listener added with `on`/`once`. */
  off<K extends keyof PoolEvents<J, R>>(
    event: K,
    listener: PoolEventListener<PoolEvents<J, R>[K]>,
  ): void {
    this.#pool.off(event, listener);
  }

  /** `await using pool = new ThreadPool(...)`: closes the pool (see `close()`). */
  [asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** An abort source over a plain signal, for a context without the `kOnAbort` hook. */
function signalSource(signal: AbortSignal): AbortSource {
  return {
    [kOnAbort](listener: AbortListener): void {
      if (signal.aborted) listener.handleAbort(signal.reason);
      else
        signal.addEventListener('abort', () => listener.handleAbort(signal.reason), { once: true });
    },
  };
}
