/**
 * The engine behind `Pool`: workers, attempts, retries, timeouts, the rate limit,
 * cancellation, close and abort; where tasks wait meanwhile (queue, blocked hand-overs,
 * retries in backoff) is `WaitingTasks`. The `Pool` facade checks every argument; the
 * engine trusts them.
 *
 * Workers are loops started on demand (`#work`, resumed by a reaction on each handler's
 * promise): one starts when a task can start and fewer than `concurrency` are looping; it
 * runs tasks one after another and ends when none can
 * start (queue empty, paused, rate-limited, or too many workers after `concurrency` was
 * lowered). A task that can start at once starts synchronously inside `run`/`submit`, in
 * the submitter's async context; a task that has to wait captures that context (an
 * `AsyncResource`) and its handler runs inside it.
 *
 * Invariants: `#running` (handlers that have not returned) ≤ `#workers` ≤ `concurrency`,
 * except right after `concurrency` was lowered, until running handlers return; a task is
 * in at most one place (blocked list, queue, backoff set, a running attempt); every task
 * settles exactly once.
 */
import { AsyncResource } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { TaskTimeoutError } from '../errors.js';
import { isOutcome, kOutcome, type RejectTask } from './internal.js';
import type { ResolvedPoolOptions } from './options.js';
import { RateLimiter } from './rate-limit.js';
import { PoolReport } from './report.js';
import type { PoolStats } from './stats.js';
import { WaitingTasks } from './waiting-tasks.js';
import { WorkerSlot, WorkerSlots, isCurrent } from './worker-slots.js';
import {
  AttemptContext,
  BACKOFF,
  BLOCKED,
  QUEUED,
  FAILED,
  RUNNING,
  SubmitWaiter,
  SUCCEEDED,
  TaskConfig,
  TaskRecord,
  type Handler,
  type TaskOwner,
} from './task.js';

/** `Promise.prototype.then`, as `await` uses it on a native promise (not a subclass's override). */
// eslint-disable-next-line @typescript-eslint/unbound-method -- called with an explicit receiver
const then = Promise.prototype.then;

const OPEN = 0;
const CLOSING = 1;
const ABORTED = 2;

export class PoolEngine<J, R> implements TaskOwner<J, R> {
  readonly handler: Handler<J, R>;
  readonly options: ResolvedPoolOptions;
  readonly report = new PoolReport<J, R>();
  concurrency: number;
  /** The config of tasks handed over without options. */
  readonly defaults: TaskConfig<J, R>;
  readonly #waiting: WaitingTasks<J, R>;
  #limiter: RateLimiter | undefined;
  #workers = 0;
  readonly #slots = new WorkerSlots<J, R>((slot, outcome, failed) =>
    this.#resume(slot, outcome, failed),
  );
  /** Handlers that have not returned. */
  #running = 0;
  #paused = false;
  #phase = OPEN;
  #abortReason: unknown = undefined;
  #idle = true;
  #idleWaiters: (() => void)[] = [];
  /** A clock reading valid for the rest of the current synchronous run, or -1. */
  #now = -1;

  constructor(handler: Handler<J, R>, options: ResolvedPoolOptions) {
    this.handler = handler;
    this.options = options;
    this.concurrency = options.concurrency;
    this.#waiting = new WaitingTasks<J, R>(options.queueSize);
    this.defaults = new TaskConfig<J, R>(
      this,
      undefined,
      0,
      options.timeout,
      options.retry,
      undefined,
      undefined,
    );
    if (options.rateLimit !== undefined) {
      this.#limiter = new RateLimiter(options.rateLimit.limit, options.rateLimit.interval, () =>
        this.drain(),
      );
    }
  }

  /** See `PoolExtension.rejectTask`. */
  get rejectTask(): RejectTask | undefined {
    return this.options.rejectTask;
  }

  get accepting(): boolean {
    return this.#phase === OPEN;
  }

  get aborted(): boolean {
    return this.#phase === ABORTED;
  }

  get abortReason(): unknown {
    return this.#abortReason;
  }

  get paused(): boolean {
    return this.#paused;
  }

  snapshot(): PoolStats {
    return this.report.snapshot(this.#running, this.#waiting.queued, this.#waiting.retrying);
  }

  #clock(): number {
    return this.#now >= 0 ? this.#now : performance.now();
  }

  /** Whether a hand-over can start at once (nothing ahead of it, a worker and the rate limit free). */
  #canStartNow(): boolean {
    return (
      this.#workers < this.concurrency &&
      !this.#paused &&
      !this.#waiting.ready &&
      (this.#limiter === undefined || this.#limiter.tryStart())
    );
  }

  /**
   * Hands a task over (`run`, `submit`, `trySubmit`, `map`). Returns `true` if it was
   * accepted (started or queued), `false` if it is BLOCKED waiting for room (when `wait`)
   * or refused (when not `wait`; the task is then untouched). The caller has checked that
   * the pool is accepting and the task's signal is not aborted.
   */
  put(task: TaskRecord<J, R>, wait: boolean): boolean {
    this.#idle = false;
    const now = this.#clock();
    if (this.#canStartNow()) {
      this.#startWorker(task, now);
      return true;
    }
    if (this.#waiting.hasRoom) {
      if (this.options.captureContext) task.context ??= new AsyncResource('crew.Task');
      this.#waiting.enqueue(task, now);
      this.#watch(task);
      return true;
    }
    if (!wait) {
      this.#checkIdle();
      return false;
    }
    if (this.options.captureContext) task.context ??= new AsyncResource('crew.Task');
    this.#waiting.block(task, now);
    this.#watch(task);
    return false;
  }

  /** Listens to the task's own signal while it waits or runs. */
  #watch(task: TaskRecord<J, R>): void {
    task.config.signal?.addEventListener('abort', task);
  }

  #startWorker(task: TaskRecord<J, R>, now: number): void {
    this.#workers++;
    this.#watch(task);
    this.#work(this.#slots.acquire(), task, now);
  }

  /** Starts workers for whatever can start now, and admits blocked hand-overs into free room. */
  drain(): void {
    while (this.#workers < this.concurrency && !this.#paused && this.#waiting.ready) {
      const now = this.#clock();
      if (this.#limiter !== undefined && !this.#limiter.tryStart()) break;
      const task = this.#waiting.take();
      if (task === undefined) break;
      this.#workers++;
      this.#work(this.#slots.acquire(), task, now);
    }
    this.#waiting.admit();
    this.#checkIdle();
  }

  /** The next task for a worker that just finished one, or `undefined` if it should stop. */
  #next(): TaskRecord<J, R> | undefined {
    if (this.#workers > this.concurrency || this.#paused) return undefined;
    if (!this.#waiting.ready) return undefined;
    if (this.#limiter !== undefined && !this.#limiter.tryStart()) return undefined;
    return this.#waiting.take();
  }

  /**
   * Runs tasks on one worker, starting with `first`. When a handler returns, the worker waits
   * for its outcome by a reaction on it (`#resume` continues with the next task); a handler
   * that throws is settled here and the loop goes on, so a run of them never grows the stack.
   * (Not an async function: starting one per task, as `map` does when its consumer sets the
   * pace, cost 475 bytes a task.)
   */
  #work(slot: WorkerSlot<J, R>, first: TaskRecord<J, R>, now: number): void {
    let task: TaskRecord<J, R> | undefined = first;
    while (task !== undefined) {
      const ctx = this.#begin(slot, task, now);
      // The clock reading is stale once user code runs.
      this.#now = -1;
      let returned: unknown;
      try {
        returned =
          task.context === undefined
            ? this.handler(task.job, ctx)
            : task.context.runInAsyncScope(this.handler, undefined, task.job, ctx);
      } catch (error) {
        now = this.#now = performance.now();
        this.#end(slot, error, true, now);
        task = this.#next();
        // Read again if #end started a handler (a map pulling its next job): see #resume.
        now = this.#clock();
        continue;
      }
      // As `await` would: a promise's outcome a microtask after it settles, a plain value's at
      // the next one, and a thenable's through its `then`; a wrapper's record directly.
      if (returned instanceof Promise) void then.call(returned, slot.fulfilled, slot.rejected);
      else if (isOutcome(returned)) {
        ctx.record = returned;
        returned[kOutcome](slot.fulfilled, slot.rejected);
      } else void Promise.resolve(returned).then(slot.fulfilled, slot.rejected);
      return;
    }
    this.#stop(slot);
  }

  /** A running handler's outcome has come: end its attempt, then go on with the next task. */
  #resume(slot: WorkerSlot<J, R>, value: unknown, failed: boolean): void {
    const now = (this.#now = performance.now());
    this.#end(slot, value, failed, now);
    const task = this.#next();
    // #end may have started a handler (a map pulls its next job as a result is settled),
    // which took time and made `now` stale (#work drops it): then #clock() reads again.
    if (task !== undefined) this.#work(slot, task, this.#clock());
    else this.#stop(slot);
  }

  /** A worker found nothing to start: it ends, and its slot is kept for the next one. */
  #stop(slot: WorkerSlot<J, R>): void {
    this.#now = -1;
    this.#workers--;
    this.#slots.release(slot, this.concurrency);
    this.#checkIdle();
  }

  #begin(slot: WorkerSlot<J, R>, task: TaskRecord<J, R>, now: number): AttemptContext<J, R> {
    this.#idle = false;
    // Every start went through the limiter's tryStart just before, with no user code since.
    this.#limiter?.restamp();
    const waited = this.#waiting.waited(task, now);
    task.state = RUNNING;
    const ctx = new AttemptContext(task, task.nextAttempt());
    task.current = ctx;
    slot.ctx = ctx;
    slot.start = now;
    this.#running++;
    const timeout = task.config.timeout;
    if (timeout > 0) ctx.timer = setTimeout(this.#onTimeout, timeout, ctx);
    this.report.started(task.job, ctx.attempt, waited);
    return ctx;
  }

  /** A slot's handler has returned `value` (or thrown it, when `failed`). */
  #end(slot: WorkerSlot<J, R>, value: unknown, failed: boolean, now: number): void {
    const ctx = slot.ctx!;
    slot.ctx = undefined;
    this.#running--;
    if (ctx.timer !== undefined) clearTimeout(ctx.timer);
    this.report.returned(now - slot.start);
    // Already settled or moved on (timeout, cancel, abort): the outcome is no one's.
    if (!isCurrent(ctx)) return;
    const task = ctx.task;
    if (failed) this.#failAttempt(task, value);
    else this.#settle(task, true, value, false);
  }

  #onTimeout = (ctx: AttemptContext<J, R>): void => {
    ctx.timer = undefined;
    if (!isCurrent(ctx)) return;
    const task = ctx.task;
    const startedAt = this.options.startedAt;
    if (startedAt !== undefined && ctx.record !== undefined) {
      // The work may have begun later than the attempt (a task waiting in a thread behind
      // others): the timeout counts from then. Not begun yet: check again a period later.
      const began = startedAt(ctx.record);
      const left =
        began === undefined ? task.config.timeout : began + task.config.timeout - performance.now();
      if (left > 0) {
        ctx.timer = setTimeout(this.#onTimeout, Math.ceil(left), ctx);
        return;
      }
    }
    const error = new TaskTimeoutError(task.config.timeout);
    ctx.abort(error);
    this.#failAttempt(task, error);
  };

  /** A RUNNING task's attempt failed: back off and retry, or settle as failed. */
  #failAttempt(task: TaskRecord<J, R>, error: unknown): void {
    const policy = task.config.retry;
    if (policy !== undefined && this.#phase !== ABORTED && task.attempts <= policy.retries) {
      let again: boolean;
      try {
        again = policy.shouldRetry(error, task.attempts);
      } catch (thrown) {
        this.#settle(task, false, thrown, false);
        return;
      }
      if (again) {
        this.#retry(task, error, policy.delay(task.attempts));
        return;
      }
    }
    this.#settle(task, false, error, false);
  }

  #retry(task: TaskRecord<J, R>, error: unknown, delay: number): void {
    this.#waiting.backoff(task);
    this.report.retried(task.job, task.attempts, error, delay);
    if (task.state !== BACKOFF) return; // a listener cancelled it
    task.current = setTimeout(this.#requeue, delay, task);
  }

  #requeue = (task: TaskRecord<J, R>): void => {
    this.#waiting.requeue(task, performance.now());
    this.drain();
  };

  /** Cancels a task (its signal, `task.cancel()`, a map that stops); see Task.cancel. */
  cancel(t: TaskRecord<J, R>, reason: unknown): void {
    switch (t.state) {
      case SUCCEEDED:
      case FAILED:
        return;
      case BLOCKED:
      case QUEUED:
        this.#waiting.withdraw(t);
        break;
      case BACKOFF:
        break;
      case RUNNING:
        (t.current as AttemptContext<J, R>).abort(reason);
        break;
    }
    this.#settle(t, false, reason, true);
    this.drain();
  }

  /**
   * Cancels every unsettled task handed over with `config` (a map that stops). O(tasks in
   * the pool), which is fine on this rare path; it spares the hot path any bookkeeping.
   */
  cancelAll(config: TaskConfig<J, R>, reason: unknown): void {
    const found = this.#waiting.withConfig(config);
    for (const ctx of this.#slots.attempts()) {
      if (ctx.task.config === config && isCurrent(ctx)) found.push(ctx.task);
    }
    for (const task of found) this.cancel(task, reason);
  }

  /** Settles a task once: stats, events, then its promise or sink. */
  #settle(task: TaskRecord<J, R>, ok: boolean, outcome: unknown, cancelled: boolean): void {
    const previous = task.state;
    const waiter = task.outcome;
    task.state = ok ? SUCCEEDED : FAILED;
    task.outcome = outcome;
    task.config.signal?.removeEventListener('abort', task);
    if (previous === BACKOFF) this.#waiting.endBackoff(task);
    task.current = undefined;
    if (ok) this.report.succeeded(task.job, outcome as R, task.attempts);
    else if (cancelled) this.report.cancelled(task.job, outcome, task.attempts);
    else this.report.failed(task.job, outcome, task.attempts);
    if (previous === BLOCKED && waiter instanceof SubmitWaiter) {
      // `submit` never handed the task out: its own promise says what happened.
      (waiter as SubmitWaiter<R>).refused(outcome);
      return;
    }
    task.deliver(waiter);
  }

  #checkIdle(): void {
    if (this.#idle || this.#running > 0 || this.#workers > 0 || !this.#waiting.empty) {
      return;
    }
    this.#idle = true;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
    this.report.idle();
  }

  /** Resolves once nothing is queued, blocked, running or waiting to retry. */
  onIdle(): Promise<void> {
    if (this.#idle) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.drain();
  }

  setConcurrency(n: number): void {
    this.concurrency = n;
    this.drain();
  }

  /** See `PoolControls.stopAccepting`. */
  stopAccepting(): void {
    if (this.#phase === OPEN) this.#phase = CLOSING;
  }

  close(): Promise<void> {
    this.stopAccepting();
    this.#paused = false;
    this.drain();
    return this.onIdle();
  }

  abort(reason: unknown): Promise<void> {
    if (this.#phase !== ABORTED) {
      this.#phase = ABORTED;
      this.#abortReason = reason;
      this.#paused = false;
      this.#limiter?.dispose();
      for (const task of this.#waiting.removeAll()) this.#settle(task, false, reason, true);
      for (const ctx of this.#slots.attempts()) {
        ctx.abort(reason);
        if (isCurrent(ctx)) this.#settle(ctx.task, false, reason, true);
      }
      this.#checkIdle();
    }
    return this.onIdle();
  }
}
