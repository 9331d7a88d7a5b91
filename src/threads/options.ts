/**
 * The options of a ThreadPool, on top of the Pool's, documented like a manual, and
 * their checks. Pool options (`queueSize`, `retries`, `timeout`, `rateLimit`, `signal`,
 * `concurrency`) mean what they mean for `Pool` and are checked by it; the ones here are
 * checked here, once, at construction, with the same message shape.
 */
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ResourceLimits, Transferable } from 'node:worker_threads';
import { InvalidOptionError, unknownOption } from '../errors.js';
import { checkInteger, checkObject, checkRange } from '../internal/validate.js';
import type { PoolOptions, TaskOptions } from '../pool/options.js';

/** How many threads: a fixed count, or a range that scales with the load. */
export interface ThreadRange {
  /** Threads kept even when idle (started with the pool): an integer ≥ 0. Default `0`. */
  min?: number;
  /** Threads at most: an integer ≥ max(1, `min`). Default `os.availableParallelism()`. */
  max?: number;
}

/** The options of `new ThreadPool(module, options)`. Every field is optional. */
export interface ThreadPoolOptions extends Omit<PoolOptions, 'asyncContext'> {
  /**
   * How many tasks may be in flight at once, across all threads (sent to a thread and not
   * yet returned): an integer ≥ 1. The rest wait in the pool's queue, where priorities and
   * cancellation apply and no timeout runs yet.
   *
   * Default: adaptive. crew measures how long handlers keep a thread busy and keeps
   * `threads.max × depth` in flight, where `depth` is about 5 ms of work per thread: up to
   * 256 tiny tasks per thread (so they travel in batches), down to 2 for tasks of 2.5 ms
   * or more (one running, one ready, so a thread never waits for the next).
   * Setting it fixes it; `concurrency: threads` runs exactly one task per thread.
   *
   * A task's timeout counts from when its thread starts it: with more than one task per
   * thread, a CPU-bound task may first wait there for the one before it, and that wait is
   * not held against it.
   */
  concurrency?: number;
  /**
   * How many threads run handlers: an integer ≥ 1 (that many, started at once), or
   * `{ min, max }` (threads start as the load needs them, up to `max`, and those above
   * `min` stop after `idleTimeout`). Default `os.availableParallelism()`.
   */
  threads?: number | ThreadRange;
  /** How long a thread above `threads.min` may stay idle before it stops, in ms: an integer ≥ 0. Default `10_000`. */
  idleTimeout?: number;
  /**
   * Memory limits of each thread (Node's `ResourceLimits`). A thread that runs out fails
   * its tasks with `ThreadCrashError` and is replaced. Default: Node's defaults.
   */
  resourceLimits?: ResourceLimits;
  /**
   * How long a handler may run after its `ctx.signal` aborted (cancellation, timeout,
   * `abort()`), in ms: an integer ≥ 0. A handler still running then has its thread
   * terminated and replaced. Default `1_000`.
   */
  terminateGrace?: number;
  /**
   * How long the main thread's event loop keeps turning, instead of sleeping, while the
   * results of a few quick tasks are out on a thread, in ms: a number from 0 to 1000
   * (fractions allowed); 0 never. Default `0.05` (50 µs).
   *
   * Waking a sleeping thread costs the operating system a few µs on bare metal and tens of
   * µs on a virtual machine; a result that comes while the loop still turns finds it awake.
   * The loop never blocks (each turn is a `setImmediate`: timers and I/O run as usual), it
   * stops as soon as the results are back, and it turns only while the thread has at most
   * four tasks out, of handlers that have been quicker than the window, and while a core is
   * free for it: while at most `os.availableParallelism() − 1` threads of this process's
   * ThreadPools run tasks, as Go lets its threads spin only while processors are idle. On a
   * single core it never turns.
   */
  idleSpin?: number;
}

/** The options of one task (`run`, `submit`, `trySubmit`). Every field is optional. */
export interface ThreadTaskOptions extends TaskOptions {
  /**
   * Objects of the job to move to the thread rather than copy (`ArrayBuffer`s,
   * `MessagePort`s, ...). After the hand-over, the caller no longer owns them; if the task
   * is retried, the next attempt gets the job as the thread left it.
   */
  transfer?: readonly Transferable[];
}

/** ThreadPool options, checked and with their defaults filled in. */
export interface ResolvedThreadOptions {
  module: string;
  min: number;
  max: number;
  idleTimeout: number;
  resourceLimits: ResourceLimits | undefined;
  terminateGrace: number;
  /** ms; 0 for none. */
  idleSpin: number;
  /** `undefined`: adaptive. */
  concurrency: number | undefined;
}

export const THREAD_KEYS = [
  'threads',
  'idleTimeout',
  'resourceLimits',
  'terminateGrace',
  'idleSpin',
] as const;
const RANGE_KEYS = new Set(['min', 'max']);
const LIMIT_KEYS = new Set([
  'maxOldGenerationSizeMb',
  'maxYoungGenerationSizeMb',
  'codeRangeSizeMb',
  'stackSizeMb',
]);

/** The handler module as an importable URL: a `file:` URL, or a path (relative to the working directory). */
export function resolveModule(module: unknown): string {
  if (module instanceof URL) return module.href;
  if (typeof module === 'string' && module.length > 0) {
    if (/^(file|data):/.test(module)) return new URL(module).href;
    return pathToFileURL(isAbsolute(module) ? module : resolve(module)).href;
  }
  throw new InvalidOptionError('module', module, 'a path or a file: URL');
}

function checkThreads(value: unknown): { min: number; max: number } {
  if (typeof value === 'number') {
    const count = checkInteger('threads', value, 1);
    return { min: count, max: count };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError('threads', value, 'an integer ≥ 1 or { min, max }');
  }
  const range = value as Record<string, unknown>;
  for (const key of Object.keys(range)) {
    if (!RANGE_KEYS.has(key)) throw unknownOption(`threads.${key}`, range[key], RANGE_KEYS);
  }
  const min = range.min === undefined ? 0 : checkInteger('threads.min', range.min, 0);
  const max =
    range.max === undefined
      ? Math.max(min, 1, availableParallelism())
      : checkInteger('threads.max', range.max, Math.max(1, min));
  return { min, max };
}

function checkLimits(value: unknown): ResourceLimits {
  const limits = checkObject('resourceLimits', value);
  for (const key of Object.keys(limits)) {
    if (!LIMIT_KEYS.has(key)) {
      throw unknownOption(`resourceLimits.${key}`, limits[key], LIMIT_KEYS);
    }
    const n = limits[key];
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) {
      throw new InvalidOptionError(`resourceLimits.${key}`, n, 'a finite number > 0');
    }
  }
  return { ...limits };
}

/** Checks a task's `transfer` list (Pool calls this for tasks that set it). */
export function checkTransfer(value: unknown, name: string): void {
  if (!Array.isArray(value))
    throw new InvalidOptionError(name, value, 'an array of transferable objects');
}

/** Checks what ThreadPool adds to the Pool's options. */
export function resolveThreadOptions(module: unknown, options: unknown): ResolvedThreadOptions {
  const url = resolveModule(module);
  const o = options === undefined ? {} : checkObject('options', options);
  const { min, max } =
    o.threads === undefined
      ? { min: availableParallelism(), max: availableParallelism() }
      : checkThreads(o.threads);
  return {
    module: url,
    min,
    max,
    idleTimeout:
      o.idleTimeout === undefined ? 10_000 : checkInteger('idleTimeout', o.idleTimeout, 0),
    resourceLimits: o.resourceLimits === undefined ? undefined : checkLimits(o.resourceLimits),
    terminateGrace:
      o.terminateGrace === undefined ? 1_000 : checkInteger('terminateGrace', o.terminateGrace, 0),
    idleSpin: o.idleSpin === undefined ? 0.05 : checkRange('idleSpin', o.idleSpin, 0, 1000),
    concurrency:
      o.concurrency === undefined ? undefined : checkInteger('concurrency', o.concurrency, 1),
  };
}
