/**
 * Internal seams for code that wraps a Pool (the ThreadPool in `src/threads/`). Nothing
 * here is exported from `src/index.ts`; users never see it.
 *
 * 1. `ctx[kTaskOptions]`: inside the handler, the task options object exactly as the
 *    caller passed it to `run`/`submit`/`trySubmit` (or `undefined`), so that a wrapper's
 *    `dispatch(job, ctx)` can read its own per-task keys, e.g. `transfer`:
 *
 *    ```ts
 *    const pool = new Pool<J, R>((job, ctx) => {
 *      const transfer = (ctx as HandlerContext & InternalContext)[kTaskOptions]?.transfer;
 *      return thread.send(job, transfer, ctx.signal);
 *    }, options);
 *    ```
 *
 * 2. `options[kPoolExtension]`: Pool rejects option keys it does not know (a typo such as
 *    `priorty` is an error, not a silent no-op). A wrapper widens what is accepted without
 *    forking the validation, by passing a `PoolExtension` under this symbol key:
 *
 *    ```ts
 *    new Pool(dispatch, {
 *      ...poolOptions,
 *      [kPoolExtension]: {
 *        poolOptions: ['threads', 'idleTimeout', 'resourceLimits'], // checked by the wrapper
 *        taskOptions: { transfer: (value, name) => checkTransfer(name, value) },
 *      },
 *    });
 *    ```
 *
 *    Each `taskOptions` check runs for every task that sets that key (only then), and
 *    throws `InvalidOptionError` to reject it; the task then never enters the pool.
 */

/** The key under which `ctx` carries the caller's task options object. */
export const kTaskOptions: unique symbol = Symbol('crew.taskOptions');

/** The key under which a wrapper passes its {@link PoolExtension} in the pool options. */
export const kPoolExtension: unique symbol = Symbol('crew.poolExtension');

/** What a wrapper adds to the options a Pool accepts. */
export interface PoolExtension {
  /** Extra pool option keys that the wrapper validates and handles itself; Pool ignores them. */
  readonly poolOptions?: readonly string[];
  /**
   * Extra task option keys, each with its check. A check receives the value and the
   * option's name and throws `InvalidOptionError` when the value is not acceptable.
   */
  readonly taskOptions?: Readonly<Record<string, (value: unknown, name: string) => void>>;
  /**
   * Whether a task that has to wait captures the submitter's async context (an
   * AsyncResource, about 290 ns and 70 bytes a task) so that the handler runs in it.
   * Default `true`. A wrapper whose handler only forwards the job elsewhere (the
   * ThreadPool sends it to a thread, where the main thread's AsyncLocalStorage is not
   * visible) passes `false`, and then the pool option `asyncContext` is refused as unknown.
   */
  readonly captureContext?: boolean;
  /**
   * How a task's promise (`run()`'s, `task.result`) rejects, in place of the default: marked
   * handled (ignoring it never causes an unhandled rejection), then rejected with `error`.
   * Whatever it does, it must end in `resolve` with a promise that rejects, and mark `promise`
   * handled. The ThreadPool's adds the awaiting caller's frames to a thread's error.
   */
  readonly rejectTask?: RejectTask;
  /**
   * Called once, by the Pool's constructor, with controls only a wrapper needs (see
   * {@link PoolControls}).
   */
  readonly attach?: (controls: PoolControls) => void;
  /**
   * For a handler that hands the job elsewhere and returns its record (see `kOutcome`), such
   * as the ThreadPool's, which sends it to a thread where it may wait behind others: when
   * the work really began (`performance.now()` scale), or `undefined` while it has not.
   * An attempt's `timeout` then counts from there.
   */
  readonly startedAt?: (record: unknown) => number | undefined;
}

/** What a wrapper can do to its Pool beyond the public API (see `PoolExtension.attach`). */
export interface PoolControls {
  /**
   * Refuses every hand-over from now on, as after `close()` (`run`, `submit` and `trySubmit`
   * reject, `map` and `process` pull nothing more), but neither resumes a paused pool nor
   * starts anything: a wrapper that holds its queue (the ThreadPool, while no thread is up)
   * closes in two steps, this one at once and `close()` once its tasks can start.
   */
  stopAccepting(): void;
}

/** See `PoolExtension.rejectTask`. */
export type RejectTask = (
  promise: Promise<unknown>,
  resolve: (value: unknown) => void,
  error: unknown,
) => void;

/**
 * The key of a method on `ctx`: `ctx[kOnAbort](listener)` calls `listener.handleAbort(reason)`
 * once when the attempt aborts (at once if it already has), without making `ctx.signal`.
 * For a wrapper that only forwards the abort (the ThreadPool sends it to a thread), an
 * AbortController and an event listener per attempt would be most of a tiny task's cost;
 * an object listener (like EventTarget's `handleEvent`) lets the wrapper's own record
 * listen, so nothing is allocated. One listener per attempt; a later call replaces it.
 */
export const kOnAbort: unique symbol = Symbol('crew.onAbort');

/**
 * The key of a method on a handler's return value that the engine subscribes through instead
 * of a promise's `then`: `outcome[kOutcome](fulfilled, rejected)`, called once, right after
 * the handler returned; the outcome then calls exactly one of the two, once, and never
 * synchronously inside that call. A wrapper that forwards each attempt elsewhere (the
 * ThreadPool's dispatcher) returns its own record this way: per attempt that spares a promise,
 * its two resolving functions, the reaction and derived promise of `then`, and a microtask.
 */
export const kOutcome: unique symbol = Symbol('crew.outcome');

/** A handler's return value that settles through {@link kOutcome}. */
export interface Outcome {
  [kOutcome](fulfilled: (value: unknown) => void, rejected: (error: unknown) => void): void;
}

/** Whether a handler's return value is an {@link Outcome}. */
export function isOutcome(value: unknown): value is Outcome {
  return typeof value === 'object' && value !== null && kOutcome in value;
}

/** What `ctx[kOnAbort]` calls. */
export interface AbortListener {
  handleAbort(reason: unknown): void;
}

/** The handler context as a wrapper sees it. */
export interface InternalContext {
  /** The task options object exactly as the caller passed it, or `undefined`. */
  readonly [kTaskOptions]: Readonly<Record<string, unknown>> | undefined;
  /** See {@link kOnAbort}. */
  [kOnAbort](listener: AbortListener): void;
}
