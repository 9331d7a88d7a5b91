/**
 * A task: one job's life inside a pool, and the context each of its attempts hands the
 * handler.
 *
 * States of a task (`TaskRecord.state`):
 *
 *     BLOCKED ──admitted──▶ QUEUED ──taken──▶ RUNNING ──handler returns──▶ SUCCEEDED / FAILED
 *        │                   ▲  │               │  │
 *        │                   │  │               │  └─failed, retries left─▶ BACKOFF ─delay─▶ QUEUED
 *        └───cancel/abort────┴──┴───────────────┴──── cancel / abort / timeout ───────────▶ FAILED
 *
 * BLOCKED: handed over while the queue was full, not yet accepted (`submit` still waits).
 * A task may also be started at once, from BLOCKED or from its hand-over, skipping QUEUED.
 * SUCCEEDED and FAILED (together: settled) are final. A task settles at once on timeout or cancellation even though its
 * handler may still run: the attempt (`AttemptContext`) keeps its worker busy until the
 * handler returns, so running handlers never exceed the pool's concurrency.
 */
import type { AsyncResource } from 'node:async_hooks';
import { kOnAbort, kTaskOptions, type AbortListener, type RejectTask } from './internal.js';
import { keepShape } from '../internal/keep-shape.js';
import type { RetryPolicy } from './retry.js';

/** A settled task as `map` and `process` yield it. */
export type Result<J, R> =
  | { readonly job: J; readonly ok: true; readonly value: R; readonly attempts: number }
  | { readonly job: J; readonly ok: false; readonly error: unknown; readonly attempts: number };

/** What a handler receives besides its job. */
export interface HandlerContext {
  /**
   * Aborts when this attempt should stop: the task was cancelled, the attempt timed out
   * (the reason is a `TaskTimeoutError`), or the pool was aborted. Pass it on to whatever
   * the handler waits for (`fetch`, timers, child processes).
   */
  readonly signal: AbortSignal;
  /** This attempt's number, 1 for the first. */
  readonly attempt: number;
}

/** The user's function for a job. Its return value (or thrown error) settles the attempt. */
export type Handler<J, R> = (job: J, ctx: HandlerContext) => R | PromiseLike<R>;

/** A task handed to a pool by `submit` or `trySubmit`. */
export interface Task<R> {
  /**
   * Settles with the handler's value, or rejects with the last attempt's error or the
   * cancellation reason. Ignoring it never causes an unhandled rejection.
   */
  readonly result: Promise<R>;
  /** Attempts started so far. */
  readonly attempts: number;
  /** Whether the task has settled. */
  readonly settled: boolean;
  /**
   * Cancels the task: a queued task never starts; a running one has its `ctx.signal`
   * aborted with `reason` and settles at once (its worker stays busy until the handler
   * returns). `reason` defaults to an `AbortError` `DOMException`. No-op once settled.
   */
  cancel(reason?: unknown): void;
}

export const BLOCKED = 0;
export const QUEUED = 1;
export const RUNNING = 2;
export const BACKOFF = 3;
/** Settled: SUCCEEDED and FAILED (failed or cancelled) are both final. */
export const SUCCEEDED = 4;
export const FAILED = 5;

/** Who is told when a task settles, instead of its promise (`map` and `process`). */
export interface TaskSink<J, R> {
  settled(task: TaskRecord<J, R>): void;
}

/** What a task's `cancel()` and its signal reach, and how its promise rejects. */
export interface TaskOwner<J, R> {
  cancel(task: TaskRecord<J, R>, reason: unknown): void;
  /** See `PoolExtension.rejectTask`; `undefined` for the default. */
  readonly rejectTask: RejectTask | undefined;
}

/**
 * What a task was handed over with. Tasks without options share their pool's (or their
 * map's) config, so a queued task costs only its record.
 */
export class TaskConfig<J, R> {
  readonly owner: TaskOwner<J, R>;
  /** The caller's options object, as passed (for `ctx[kTaskOptions]`). */
  readonly options: Readonly<Record<string, unknown>> | undefined;
  readonly priority: number;
  /** Per-attempt timeout in ms; 0 for none. */
  readonly timeout: number;
  readonly retry: RetryPolicy | undefined;
  /** The task's own cancellation signal. */
  readonly signal: AbortSignal | undefined;
  /** Told of the outcome instead of the task's promise. */
  readonly sink: TaskSink<J, R> | undefined;

  constructor(
    owner: TaskOwner<J, R>,
    options: Readonly<Record<string, unknown>> | undefined,
    priority: number,
    timeout: number,
    retry: RetryPolicy | undefined,
    signal: AbortSignal | undefined,
    sink: TaskSink<J, R> | undefined,
  ) {
    this.owner = owner;
    this.options = options;
    this.priority = priority;
    this.timeout = timeout;
    this.retry = retry;
    this.signal = signal;
    this.sink = sink;
  }
}

/** A `submit` waiting for room: it learns whether its task was accepted. */
export class SubmitWaiter<R> {
  readonly admitted: (task: Task<R>) => void;
  readonly refused: (error: unknown) => void;

  constructor(admitted: (task: Task<R>) => void, refused: (error: unknown) => void) {
    this.admitted = admitted;
    this.refused = refused;
  }
}

// One executor for every task promise, so that creating one allocates no closure. Only
// `resolve` is kept: a task rejects by resolving with a rejected promise, so a waiting
// task does not hold a `reject` function too (64 bytes per task, a sixth of a queued
// `run`'s memory; rejecting takes two more microtask ticks, on the rarer path).
let nextResolve: ((value: never) => void) | undefined;
function capture(resolve: (value: never) => void): void {
  nextResolve = resolve;
}
function ignore(): void {}

/**
 * The engine's record of a task; it is also the `Task` that `submit` hands out. It is kept
 * small (a queued task's memory is this record, its async context and a queue slot): the
 * state and the attempt count share one number, rarely used settings live in the shared
 * `config`, and one field holds whichever of attempt / retry timer / queue time applies.
 */
export class TaskRecord<J = unknown, R = unknown> implements Task<R> {
  /** `attempts * 8 + state`. */
  #bits = BLOCKED;
  readonly job: J;
  readonly config: TaskConfig<J, R>;
  /** The submitter's async context, captured when the task could not start at once. */
  context: AsyncResource | undefined = undefined;
  /**
   * RUNNING: the current attempt. BACKOFF: the retry timer. QUEUED/BLOCKED: when it began
   * waiting (an integer; see WaitingTasks). Otherwise `undefined`.
   */
  current: AttemptContext<J, R> | NodeJS.Timeout | number | undefined = undefined;
  /**
   * Once settled: the value or the error. Before: its promise's resolve function once the
   * promise is made, or, while BLOCKED in `submit`, its SubmitWaiter (one field for what is
   * never needed at the same time: a queued task is this record and little else).
   */
  outcome: unknown = undefined;
  #promise: Promise<R> | undefined = undefined;

  constructor(config: TaskConfig<J, R>, job: J) {
    this.config = config;
    this.job = job;
  }

  get state(): number {
    return this.#bits & 7;
  }

  set state(state: number) {
    this.#bits = (this.#bits & ~7) | state;
  }

  get attempts(): number {
    return this.#bits >> 3;
  }

  /** Counts a new attempt and returns its number. */
  nextAttempt(): number {
    this.#bits += 8;
    return this.#bits >> 3;
  }

  get result(): Promise<R> {
    return this.promise();
  }

  get settled(): boolean {
    return (this.#bits & 7) >= SUCCEEDED;
  }

  cancel(reason?: unknown): void {
    this.config.owner.cancel(this, reason === undefined ? abortError() : reason);
  }

  /** The task's promise, made on first use (a task fed to `map` never needs one). */
  promise(): Promise<R> {
    if (this.#promise === undefined) {
      this.#promise = new Promise<R>(capture as (r: (v: R | PromiseLike<R>) => void) => void);
      if (this.settled) settle(this, this.#promise, nextResolve as (value: unknown) => void);
      else this.outcome = nextResolve;
    }
    return this.#promise;
  }

  /** Called by the task's signal (the record is its own event listener: no closure). */
  handleEvent(): void {
    this.config.owner.cancel(this, this.config.signal!.reason);
  }

  /**
   * Hands the outcome to the sink or the promise; the state is already SUCCEEDED or FAILED
   * and `outcome` already replaced by the result; `pending` is what `outcome` held before.
   */
  deliver(pending: unknown): void {
    if (this.config.sink !== undefined) this.config.sink.settled(this);
    else if (this.#promise !== undefined) {
      settle(this, this.#promise, pending as (value: unknown) => void);
    }
  }
}

/**
 * Settles a settled task's promise with its outcome (a function, not a private method: a
 * class with one gives each instance a brand slot, 8 bytes per queued task).
 */
function settle(
  task: TaskRecord,
  promise: Promise<unknown>,
  resolve: (value: unknown) => void,
): void {
  if (task.state === SUCCEEDED) {
    resolve(task.outcome);
  } else if (task.config.owner.rejectTask !== undefined) {
    task.config.owner.rejectTask(promise, resolve, task.outcome);
  } else {
    // Marked handled before it rejects: a caller who ignores the task sees no
    // unhandled rejection, while their own `then`/`catch` still observes the error.
    // The inner rejected promise is adopted (so handled) within this microtask drain.
    promise.catch(ignore);
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the handler's own error, as thrown
    resolve(Promise.reject(task.outcome));
  }
}

/** The platform's default abort reason. */
export function abortError(): DOMException {
  return new DOMException('This operation was aborted', 'AbortError');
}

/** The reason of an attempt not aborted (yet). */
const NOT_ABORTED: unique symbol = Symbol('crew.notAborted');

/**
 * One attempt of a task: the `ctx` its handler receives. The AbortController behind
 * `signal` is made only when the handler reads `signal`; an abort before that is
 * remembered and applied then.
 */
export class AttemptContext<J = unknown, R = unknown> implements HandlerContext {
  readonly task: TaskRecord<J, R>;
  readonly attempt: number;
  timer: NodeJS.Timeout | undefined = undefined;
  /** What the handler returned when it is a wrapper's record (see `PoolExtension.startedAt`). */
  record: unknown = undefined;
  #controller: AbortController | undefined = undefined;
  #reason: unknown = NOT_ABORTED;
  #listener: AbortListener | undefined = undefined;

  constructor(task: TaskRecord<J, R>, attempt: number) {
    this.task = task;
    this.attempt = attempt;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reason !== NOT_ABORTED) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get [kTaskOptions](): Readonly<Record<string, unknown>> | undefined {
    return this.task.config.options;
  }

  /** See `kOnAbort` in internal.ts. */
  [kOnAbort](listener: AbortListener): void {
    if (this.#reason !== NOT_ABORTED) listener.handleAbort(this.#reason);
    else this.#listener = listener;
  }

  /** Aborts `signal` with `reason`; the first abort wins. */
  abort(reason: unknown): void {
    if (this.#reason !== NOT_ABORTED) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const listener = this.#listener;
    if (listener !== undefined) {
      this.#listener = undefined;
      listener.handleAbort(reason);
    }
  }
}

// Placeholders that keep the hidden classes of task records and attempts (see keep-shape.ts).
{
  const owner: TaskOwner<unknown, unknown> = { cancel() {}, rejectTask: undefined };
  const config = new TaskConfig(owner, undefined, 0, 0, undefined, undefined, undefined);
  const task = new TaskRecord<unknown, unknown>(config, undefined);
  task.current = 0;
  task.outcome = 0;
  keepShape(task);
  keepShape(new AttemptContext(task, 1));
}
