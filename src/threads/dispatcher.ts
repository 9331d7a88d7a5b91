/**
 * The engine behind ThreadPool: it hands each task to a thread, forwards its abort (and
 * stops a thread whose handler ignores it), and turns every way a thread can die into an
 * outcome for the tasks it held. Which thread takes a task, and when threads start, are
 * replaced and stop, is `ThreadRoster`'s. It trusts its settings (the facade checked them)
 * and knows nothing of queues, retries or timeouts: the Pool in front of it does those.
 *
 * When a thread dies:
 * - tasks it had started fail with `ThreadCrashError` (cause: its error or exit code),
 *   unless it was stopped because one of them ignored its abort past `terminateGrace`:
 *   that one settles with its abort reason;
 * - tasks it had not started yet run on another thread: they never began, so no attempt
 *   is used up;
 * - it is replaced when fewer than `min` remain, or when tasks need it.
 *
 * The gate (see `gateOpen`): tasks are handed over only while a thread is up, so that no
 * task's timeout counts a thread's start-up, or a thread stuck on an aborted handler.
 *
 * A handler module that does not load: the tasks on that thread fail with
 * `InvalidModuleError`; while no thread has loaded since, new tasks fail at once with
 * the same error, and a new thread is tried only after a backoff that doubles each time
 * (250 ms up to 30 s), so a broken module never causes a respawn storm.
 */
import { InvalidModuleError, PoolClosedError, ThreadCrashError } from '../errors.js';
import { DepthAdvisor } from './depth-advisor.js';
import { TaskRecord, type RecordOwner } from './task-record.js';
import type { Thread, ThreadStats } from './thread.js';
import { ThreadRoster, type RosterSettings } from './thread-roster.js';
import type { Transferable } from 'node:worker_threads';
import { kOnAbort, type AbortListener } from '../pool/internal.js';
import { defer } from '../internal/defer.js';
import { stayAwake } from './stay-awake.js';

/**
 * The most tasks a thread may have out for the main thread to stay awake for their results:
 * with more, one wake-up serves many results, and the main thread is busy producing work
 * anyway (staying awake after every batch cost 100,000 tasks at once 3.5% of their speed).
 */
const FEW_TASKS = 4;

/** What `run` listens to for an abort: the Pool's attempt context (see `kOnAbort`). */
export interface AbortSource {
  [kOnAbort](listener: AbortListener): void;
}

export interface DispatcherSettings extends RosterSettings {
  terminateGrace: number;
  /** See `ThreadPoolOptions.idleSpin`; 0 for never (always on a single core). */
  idleSpin: number;
  /** Called when the advised number of tasks per thread changes; see `depth`. */
  onDepth: ((depth: number) => void) | undefined;
  /** Called when tasks should start (`true`) or wait in the pool's queue (`false`); see `gateOpen`. */
  onGate: ((open: boolean) => void) | undefined;
}

export class Dispatcher implements RecordOwner {
  readonly #settings: DispatcherSettings;
  #gateOpen = false;
  #gateOpened = false;
  readonly #roster: ThreadRoster;
  #closed = false;
  readonly #advisor = new DepthAdvisor();
  #inflight = 0;
  #drained: (() => void) | undefined = undefined;
  /** Settled tasks whose outcome is yet to be told (see `#settle`). */
  #settled: TaskRecord[] = [];

  constructor(settings: DispatcherSettings) {
    this.#settings = settings;
    this.#roster = new ThreadRoster(settings, {
      ready: () => this.#onReady(),
      loadFailed: (thread, invalidExport, error) =>
        this.#onLoadFailed(thread, invalidExport, error),
      settled: (task, ok, value) => this.#settle(task, ok, value),
      busy: (ms) => this.#onBusy(ms),
      sent: (thread) => this.#onSent(thread),
      idle: (thread) => this.#roster.retireWhenIdle(thread),
      exited: (thread, code, error) => this.#onExit(thread, code, error),
    });
  }

  /**
   * How many tasks per thread are worth keeping in flight: enough to batch small tasks
   * (up to 256), down to 2 for tasks that keep a thread busy for 2.5 ms or more,
   * so that long tasks wait in the pool's queue (where priorities and cancellation
   * apply) rather than inside a thread.
   */
  get depth(): number {
    return this.#advisor.depth;
  }

  /** Threads started and not yet gone. */
  get threadCount(): number {
    return this.#roster.count;
  }

  /**
   * Runs one attempt of a task on a thread; its record settles with the handler's outcome
   * (see `kOutcome`). When
   * `abort` fires, the thread's `ctx.signal` aborts, and the thread is stopped if the
   * handler has not returned `terminateGrace` ms later.
   */
  run(
    job: unknown,
    attempt: number,
    transfer: readonly Transferable[] | undefined,
    abort: AbortSource | undefined,
  ): Promise<unknown> | TaskRecord {
    if (this.#closed) return Promise.reject(new PoolClosedError());
    const task = new TaskRecord(this, job, attempt, transfer);
    this.#inflight++;
    this.#assign(task);
    abort?.[kOnAbort](task);
    return task;
  }

  /**
   * Whether tasks should be handed over now. Closed while no thread is ready (at first,
   * until every thread started with the pool is up), so that the pool keeps tasks in its
   * queue rather than start their clocks (timeouts) while a thread boots. Open, too,
   * while the module fails to load, so that tasks fail at once with that error.
   */
  get gateOpen(): boolean {
    return this.#gateOpen;
  }

  /**
   * Work is waiting while the gate is closed: make sure a thread is starting, and let
   * starting threads keep the process alive until they are up.
   */
  wake(): void {
    this.#roster.wake();
  }

  /**
   * When a task's thread began running its handler (`performance.now()` scale), `undefined`
   * while it has not; see `Thread.startedAt`.
   */
  startedAt(task: TaskRecord): number | undefined {
    return task.thread?.startedAt(task);
  }

  /** Per-thread numbers for `stats`. */
  stats(): ThreadStats[] {
    return this.#roster.stats();
  }

  /** Waits for the tasks in flight, then stops every thread. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#roster.close();
    if (this.#inflight > 0) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
    }
    await this.#roster.stopAll();
  }

  #assign(task: TaskRecord): void {
    const thread = this.#roster.pick();
    if (thread !== undefined) {
      thread.send(task);
      return;
    }
    // No live thread and none may start yet: the module failed to load, recently.
    this.#settle(task, false, this.#roster.backoff.failure ?? new PoolClosedError());
  }

  #settle(task: TaskRecord, ok: boolean, value: unknown): void {
    task.settled = true;
    if (task.grace !== undefined) clearTimeout(task.grace);
    if (task.drainingOn !== undefined) {
      task.drainingOn.draining--;
      task.drainingOn = undefined;
      this.#updateGate();
    }
    task.ok = ok;
    task.value = value;
    // Told in one microtask for all that settle together: never inside `run()` or a thread's
    // message loop, where the Pool would start the next task (and run event listeners).
    this.#settled.push(task);
    if (this.#settled.length === 1) defer(this.#deliver);
    if (--this.#inflight === 0 && this.#drained !== undefined) this.#drained();
  }

  readonly #deliver = (): void => {
    const settled = this.#settled;
    this.#settled = [];
    for (const task of settled) task.deliver();
  };

  /** A task's attempt was aborted (see TaskRecord.handleAbort). */
  abortTask(task: TaskRecord, reason: unknown): void {
    if (task.settled || task.cancelled) return;
    task.cancelled = true;
    task.reason = reason;
    const thread = task.thread;
    // Not sent yet: Thread drops it at its next flush. Sent: ask the handler to stop, and
    // stop the thread if it has not returned within the grace period.
    if (thread === undefined || task.seq === 0) return;
    thread.cancel(task, reason);
    thread.draining++;
    task.drainingOn = thread;
    this.#updateGate();
    this.#armGrace(task, thread);
  }

  /**
   * Stops the thread if the aborted task's handler is still running after the grace
   * period. The period counts from when the handler started: a task still waiting its
   * turn inside a busy thread has not ignored anything yet.
   */
  #armGrace(task: TaskRecord, thread: Thread): void {
    task.grace = setTimeout(() => {
      task.grace = undefined;
      if (task.thread !== thread || task.settled) return;
      if (task.seenRunning) {
        void thread.stop(task);
      } else {
        // Not started yet, or started since the last check: give it a full period from now.
        task.seenRunning = thread.hasStarted(task);
        this.#armGrace(task, thread);
      }
    }, this.#settings.terminateGrace);
    task.grace.unref();
  }

  #onReady(): void {
    this.#roster.backoff.loaded();
    this.#updateGate();
  }

  #updateGate(): void {
    const { live, ready } = this.#roster.tally();
    // The first opening waits for every thread started with the pool, so the first tasks
    // spread over all of them rather than pile onto the first one up. Later, a pool whose
    // threads all stopped for being idle stays open: the next task starts a thread (and
    // waits for it), as nothing else would notice work arriving through `map()` or
    // `process()`; the tasks after it wait in the queue while that thread boots.
    const open =
      this.#roster.backoff.failure !== undefined ||
      (ready > 0 && (this.#gateOpened || ready === live)) ||
      (this.#gateOpened && live === 0);
    if (open !== this.#gateOpen) {
      this.#gateOpen = open;
      if (open) this.#gateOpened = true;
      this.#settings.onGate?.(open);
    }
    // Tasks wait in the pool's queue for a thread: one must be coming.
    if (!open && !this.#closed && this.#settings.hasWork()) this.wake();
  }

  #onLoadFailed(thread: Thread, invalidExport: boolean, error: unknown): void {
    const module = this.#settings.spec.data.module;
    const failure = invalidExport
      ? new InvalidModuleError(
          module,
          `The module ${module} has no default export that is a function`,
        )
      : new InvalidModuleError(module, `The module ${module} failed to load`, { cause: error });
    this.#roster.backoff.failed(failure);
    const { started, unstarted } = thread.takeAll();
    for (const task of [...started, ...unstarted]) this.#settle(task, false, failure);
    void thread.stop(failure);
    this.#updateGate();
  }

  /**
   * Tasks went to a thread: keep the main thread awake for their results if the thread has
   * few out and they are quick enough to come within `idleSpin` (see stay-awake.ts).
   */
  #onSent(thread: Thread): void {
    const spin = this.#settings.idleSpin;
    if (spin > 0 && thread.load <= FEW_TASKS && this.#advisor.taskMs < spin) {
      stayAwake(spin, thread);
    }
  }

  #onBusy(ms: number): void {
    if (this.#advisor.observe(ms)) this.#settings.onDepth?.(this.#advisor.depth);
  }

  #onExit(thread: Thread, code: number, error: unknown): void {
    this.#roster.remove(thread);
    const reason = thread.stopReason;
    if (!thread.loaded && reason === undefined) {
      // It died before its module loaded (e.g. the loader itself failed): a failed start.
      this.#onLoadFailed(thread, false, error ?? code);
      this.#roster.fillToMin();
      this.#updateGate();
      return;
    }
    const { started, unstarted } = thread.takeAll();
    const culprit = reason instanceof TaskRecord ? reason : undefined;
    for (const task of started) {
      if (task === culprit) {
        this.#settle(task, false, task.reason);
      } else if (reason instanceof InvalidModuleError || reason instanceof PoolClosedError) {
        this.#settle(task, false, reason);
      } else {
        this.#settle(task, false, crashError(code, error, culprit !== undefined));
      }
    }
    for (const task of unstarted) {
      if (task.cancelled) this.#settle(task, false, task.reason);
      else if (this.#closed) this.#settle(task, false, new PoolClosedError());
      else this.#assign(task);
    }
    this.#roster.fillToMin();
    this.#updateGate();
  }
}

function crashError(code: number, error: unknown, stoppedForAnother: boolean): ThreadCrashError {
  if (stoppedForAnother) {
    return new ThreadCrashError(
      'The thread was stopped because another task on it ignored its abort signal',
      { cause: error },
    );
  }
  if (error !== undefined) {
    return new ThreadCrashError('The thread crashed while running the task', { cause: error });
  }
  return new ThreadCrashError(`The thread exited with code ${code} while running the task`, {
    cause: code,
  });
}
