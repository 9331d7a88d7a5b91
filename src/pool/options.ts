/**
 * The options of a Pool and of each task, documented like a manual, and their checks.
 * Every option is checked once, at construction (pool options) or when the task is
 * handed over (task options), and a bad one throws `InvalidOptionError`
 * (`CREW_INVALID_OPTION`) naming the option, the value and what is expected. Unknown
 * keys are rejected too, so a typo is an error rather than a silent no-op.
 */
import { availableParallelism } from 'node:os';
import { InvalidOptionError, unknownOption } from '../errors.js';
import {
  checkBoolean,
  checkFunction,
  checkInteger,
  checkNumber,
  checkObject,
  checkSignal,
} from '../internal/validate.js';
import { kPoolExtension, type PoolExtension, type RejectTask } from './internal.js';
import { RetryPolicy } from './retry.js';

/** How failed attempts are retried. Every field is optional. */
export interface RetryOptions {
  /** How many times a failed task is tried again: an integer ≥ 0, or `Infinity`. Default `0`. */
  retries?: number;
  /** The base delay in ms before the first retry: an integer ≥ 0. Default `100`. */
  minDelay?: number;
  /** The largest delay in ms: an integer ≥ `minDelay`, or `Infinity`. Default `30_000`. */
  maxDelay?: number;
  /** How much the delay grows with each retry: a number ≥ 1. Default `2`. */
  factor?: number;
  /**
   * Full jitter: each delay is drawn uniformly between 0 and the exponential delay, so that
   * many tasks failing together do not retry together. `false` waits the exact delay. Default `true`.
   */
  jitter?: boolean;
  /**
   * Whether to retry after attempt `attempt` (1-based) failed with `error`. Called only
   * while retries remain; a throw counts as "no". Default: retry every failure. A
   * cancellation or an abort of the pool is never retried; a timeout is (it is per attempt).
   */
  retryIf?: (error: unknown, attempt: number) => boolean;
}

/** At most `limit` attempts start within any `interval` ms: a sliding window, not fixed buckets. */
export interface RateLimitOptions {
  /** Starts allowed per window: an integer ≥ 1. */
  limit: number;
  /** The window in ms: an integer ≥ 1. */
  interval: number;
}

/** The options of `new Pool(handler, options)`. Every field is optional. */
export interface PoolOptions {
  /**
   * How many handlers run at once: an integer ≥ 1. Default `os.availableParallelism()`.
   * Settable later through `pool.concurrency`.
   */
  concurrency?: number;
  /**
   * How many tasks may wait to start: an integer ≥ 0, or `Infinity` (the default). When
   * the queue is full, `submit` and `run` wait for room and `trySubmit` returns
   * `undefined`. `0` is hand-off only: a task is accepted only when a worker takes it at once.
   */
  queueSize?: number;
  /** Retries of a failed task: a count (an integer ≥ 0, or `Infinity`) or {@link RetryOptions}. Default `0`. */
  retries?: number | RetryOptions;
  /**
   * The time limit of each attempt in ms: an integer ≥ 1, or `Infinity` (the default,
   * no limit). An attempt that runs past it aborts `ctx.signal` with `TaskTimeoutError`,
   * and the task fails (or is retried) at once; its worker stays busy until the handler returns.
   */
  timeout?: number;
  /** Limits how often attempts start; see {@link RateLimitOptions}. Default: no limit. */
  rateLimit?: RateLimitOptions;
  /** Aborting this signal aborts the pool, as `pool.abort(signal.reason)` does. */
  signal?: AbortSignal;
  /**
   * Whether a handler runs in the `AsyncLocalStorage` context of the call that handed its job
   * over (`run`, `submit`, `trySubmit`, `map`). Default `true`. For a task that has to wait,
   * that takes an `AsyncResource` (72 bytes while it waits; with 100,000 `run()` calls queued
   * at once, about 30% of their time). `false` saves it: a task that starts at once, inside the
   * call, still runs in the caller's context, and one that waits runs in no particular context.
   */
  asyncContext?: boolean;
}

/** The options of one task (`run`, `submit`, `trySubmit`). Every field is optional. */
export interface TaskOptions {
  /** Higher starts first; FIFO among equal priorities. A finite number. Default `0`. */
  priority?: number;
  /** Cancels this task: a queued task never starts, a running one sees `ctx.signal` abort. */
  signal?: AbortSignal;
  /** This task's time limit per attempt, overriding the pool's `timeout`. */
  timeout?: number;
  /** This task's retries, overriding the pool's `retries`. */
  retries?: number | RetryOptions;
}

/** Pool options, checked and with their defaults filled in. */
export interface ResolvedPoolOptions {
  concurrency: number;
  queueSize: number;
  retry: RetryPolicy | undefined;
  /** 0 means no timeout. */
  timeout: number;
  rateLimit: RateLimitOptions | undefined;
  signal: AbortSignal | undefined;
  taskChecks: PoolExtension['taskOptions'];
  /** See `PoolExtension.captureContext`. */
  captureContext: boolean;
  /** See `PoolExtension.rejectTask`. */
  rejectTask: RejectTask | undefined;
  /** See `PoolExtension.attach`. */
  attach: PoolExtension['attach'];
  /** See `PoolExtension.startedAt`. */
  startedAt: PoolExtension['startedAt'];
}

/** Task options, checked; `undefined` fields fall back to the pool's. */
export interface ResolvedTaskOptions {
  priority: number;
  signal: AbortSignal | undefined;
  timeout: number | undefined;
  retry: RetryPolicy | null | undefined;
}

const POOL_KEYS = new Set([
  'concurrency',
  'queueSize',
  'retries',
  'timeout',
  'rateLimit',
  'signal',
  'asyncContext',
]);
/** A wrapper whose handlers run elsewhere takes no `asyncContext` (see `PoolExtension.captureContext`). */
const POOL_KEYS_NO_CONTEXT = new Set([...POOL_KEYS].filter((key) => key !== 'asyncContext'));
const TASK_KEYS = new Set(['priority', 'signal', 'timeout', 'retries']);
const RETRY_KEYS = new Set(['retries', 'minDelay', 'maxDelay', 'factor', 'jitter', 'retryIf']);
const RATE_KEYS = new Set(['limit', 'interval']);

function rejectUnknown(
  prefix: string,
  object: Record<string, unknown>,
  known: ReadonlySet<string>,
  extra?: readonly string[] | Readonly<Record<string, unknown>>,
): void {
  for (const key of Object.keys(object)) {
    if (known.has(key)) continue;
    if (extra !== undefined && (Array.isArray(extra) ? extra.includes(key) : key in extra)) {
      continue;
    }
    const extraKeys: readonly string[] =
      extra === undefined ? [] : Array.isArray(extra) ? (extra as string[]) : Object.keys(extra);
    throw unknownOption(`${prefix}${key}`, object[key], [...known, ...extraKeys]);
  }
}

/** Checks `concurrency`, which the setter checks too. */
export function checkConcurrency(value: unknown): number {
  return checkInteger('concurrency', value, 1);
}

/** Checks a timeout: an integer ≥ 1 or `Infinity`; returns 0 for "no timeout". */
function checkTimeout(name: string, value: unknown): number {
  const ms = checkInteger(name, value, 1, true);
  return ms === Infinity ? 0 : ms;
}

/** Checks `retries` (a count or {@link RetryOptions}); `null` means "no retries". */
function checkRetries(name: string, value: unknown): RetryPolicy | null {
  if (typeof value === 'number') {
    const retries = checkInteger(name, value, 0, true);
    return retries === 0 ? null : new RetryPolicy(retries, 100, 30_000, 2, true, undefined);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(name, value, 'an integer ≥ 0, Infinity or a retry options object');
  }
  const o = value as Record<string, unknown>;
  rejectUnknown(`${name}.`, o, RETRY_KEYS);
  const retries = o.retries === undefined ? 0 : checkInteger(`${name}.retries`, o.retries, 0, true);
  const minDelay = o.minDelay === undefined ? 100 : checkInteger(`${name}.minDelay`, o.minDelay, 0);
  const maxDelay =
    o.maxDelay === undefined
      ? Math.max(30_000, minDelay)
      : checkInteger(`${name}.maxDelay`, o.maxDelay, minDelay, true);
  const factor = o.factor === undefined ? 2 : checkNumber(`${name}.factor`, o.factor, 1);
  const jitter = o.jitter === undefined ? true : checkBoolean(`${name}.jitter`, o.jitter);
  const retryIf =
    o.retryIf === undefined
      ? undefined
      : checkFunction<(error: unknown, attempt: number) => boolean>(`${name}.retryIf`, o.retryIf);
  return retries === 0
    ? null
    : new RetryPolicy(retries, minDelay, maxDelay, factor, jitter, retryIf);
}

function checkRateLimit(value: unknown): RateLimitOptions {
  const o = checkObject('rateLimit', value);
  rejectUnknown('rateLimit.', o, RATE_KEYS);
  return {
    limit: checkInteger('rateLimit.limit', o.limit, 1),
    interval: checkInteger('rateLimit.interval', o.interval, 1),
  };
}

/** Checks the options of `new Pool(handler, options)` and fills in the defaults. */
export function resolvePoolOptions(options: unknown): ResolvedPoolOptions {
  const o = options === undefined ? {} : checkObject('options', options);
  const extension = (o as { [kPoolExtension]?: PoolExtension })[kPoolExtension];
  const captureContext = extension?.captureContext ?? true;
  if (o.asyncContext !== undefined && !captureContext) {
    // A wrapper whose handlers run elsewhere (a thread) has no such choice to offer.
    throw new InvalidOptionError(
      'asyncContext',
      o.asyncContext,
      "not set (a ThreadPool's handlers run on threads, where the caller's AsyncLocalStorage does not reach)",
    );
  }
  rejectUnknown('', o, captureContext ? POOL_KEYS : POOL_KEYS_NO_CONTEXT, extension?.poolOptions);
  return {
    concurrency:
      o.concurrency === undefined ? availableParallelism() : checkConcurrency(o.concurrency),
    queueSize:
      o.queueSize === undefined ? Infinity : checkInteger('queueSize', o.queueSize, 0, true),
    retry: o.retries === undefined ? undefined : (checkRetries('retries', o.retries) ?? undefined),
    timeout: o.timeout === undefined ? 0 : checkTimeout('timeout', o.timeout),
    rateLimit: o.rateLimit === undefined ? undefined : checkRateLimit(o.rateLimit),
    signal: o.signal === undefined ? undefined : checkSignal('signal', o.signal),
    taskChecks: extension?.taskOptions,
    captureContext:
      captureContext &&
      (o.asyncContext === undefined || checkBoolean('asyncContext', o.asyncContext)),
    rejectTask: extension?.rejectTask,
    attach: extension?.attach,
    startedAt: extension?.startedAt,
  };
}

/** Checks one task's options; `checks` are a wrapper's extra keys (see `internal.ts`). */
export function resolveTaskOptions(
  options: unknown,
  checks: PoolExtension['taskOptions'],
): ResolvedTaskOptions {
  const o = checkObject('taskOptions', options);
  rejectUnknown('', o, TASK_KEYS, checks);
  if (checks !== undefined) {
    for (const key of Object.keys(checks)) if (o[key] !== undefined) checks[key]!(o[key], key);
  }
  let priority = 0;
  if (o.priority !== undefined) {
    if (typeof o.priority !== 'number' || !Number.isFinite(o.priority)) {
      throw new InvalidOptionError('priority', o.priority, 'a finite number');
    }
    priority = o.priority;
  }
  return {
    priority,
    signal: o.signal === undefined ? undefined : checkSignal('signal', o.signal),
    timeout: o.timeout === undefined ? undefined : checkTimeout('timeout', o.timeout),
    retry: o.retries === undefined ? undefined : checkRetries('retries', o.retries),
  };
}
