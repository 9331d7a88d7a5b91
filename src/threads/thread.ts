/**
 * One thread, as the main side sees it: the Worker, the tasks sent to it, and the
 * outgoing batch.
 *
 * States: starting → ready → (stopping) → exited, or starting → failed (its module
 * did not load) → exited. Tasks may be sent while it is starting; the Worker holds them
 * until the thread listens.
 *
 * Keeping the process alive: a thread is ref'd exactly while tasks are in flight on it,
 * so an idle pool never keeps the process running, and a running task always does.
 */
import { performance } from 'node:perf_hooks';
import { Worker, type ResourceLimits, type Transferable } from 'node:worker_threads';
import {
  OP_CANCEL,
  RESULT_WIDTH,
  START_TIMES,
  type FromThread,
  type ThreadData,
  type ToThread,
} from './protocol.js';
import { deserializeError, serializeError } from './serialize-error.js';
import { activityFlags, releaseActivitySlot, takeActivitySlot } from './activity.js';
import { SlotTable } from './slot-table.js';
import type { TaskRecord } from './task-record.js';
import { defer } from '../internal/defer.js';

/** One thread's numbers, as `ThreadPool.stats.threads` reports them. */
export interface ThreadStats {
  /** The Worker's `threadId`. */
  readonly threadId: number;
  /** Tasks on this thread now (sent and not yet settled). */
  readonly running: number;
  /** Tasks this thread finished. */
  readonly completed: number;
  /** Share of its time the thread's event loop was busy since it started, 0..1. */
  readonly utilization: number;
}

export type ThreadState = 'starting' | 'ready' | 'failed' | 'stopping' | 'exited';

/** What `workerData` holds that is each thread's own. */
type PerThread = 'started' | 'startTimes' | 'activity' | 'activitySlot';

/** How a thread is started: the same for every thread of a pool. */
export interface ThreadSpec {
  /** The entry file, or (with `eval`) code that loads it. */
  entry: URL | string;
  eval: boolean;
  data: Omit<ThreadData, PerThread>;
  resourceLimits: ResourceLimits | undefined;
  execArgv: string[] | undefined;
  env: NodeJS.Dict<string> | typeof import('node:worker_threads').SHARE_ENV | undefined;
}

/** What a thread reports to its dispatcher. */
export interface ThreadHooks {
  ready(thread: Thread): void;
  loadFailed(thread: Thread, invalidExport: boolean, error: unknown): void;
  settled(task: TaskRecord, ok: boolean, value: unknown): void;
  /** Mean synchronous handler time of the latest batch, in ms. */
  busy(ms: number): void;
  /** Tasks were just posted to the thread. */
  sent(thread: Thread): void;
  idle(thread: Thread): void;
  /** The thread is gone; `error` is what killed it (if it reported one), `code` its exit code. */
  exited(thread: Thread, code: number, error: unknown): void;
}

export class Thread {
  state: ThreadState = 'starting';
  /** Why it is stopping, when the main side ended it on purpose (for the tasks it held). */
  stopReason: unknown = undefined;
  /** Whether its module loaded: a thread that dies before that failed to start. */
  loaded = false;
  /** Tasks on it whose abort was sent and that have not returned: it may be stuck. */
  draining = 0;
  /** Tasks that finished on this thread. */
  completed = 0;
  idleTimer: NodeJS.Timeout | undefined = undefined;
  readonly #worker: Worker;
  readonly #hooks: ThreadHooks;
  /** Tasks sent (or about to be) and not yet settled, by slot (see SlotTable). */
  readonly #slots = new SlotTable<TaskRecord>();
  readonly #started: Int32Array;
  readonly #startTimes = new Float64Array(new SharedArrayBuffer(8 * START_TIMES));
  /** Its flag in the process's activity flags (see activity.ts), freed when it exits. */
  readonly #activitySlot: number;
  #sent = 0;
  #ops: unknown[] = [];
  #outgoing: TaskRecord[] = [];
  #transfer: Transferable[] = [];
  #flushQueued = false;
  #error: unknown = undefined;
  #referenced = true;
  readonly #flush = (): void => this.#send();

  constructor(spec: ThreadSpec, hooks: ThreadHooks) {
    this.#hooks = hooks;
    this.#started = new Int32Array(new SharedArrayBuffer(4));
    this.#activitySlot = takeActivitySlot();
    try {
      this.#worker = startWorker(spec, {
        started: this.#started,
        startTimes: this.#startTimes,
        activity: activityFlags(),
        activitySlot: this.#activitySlot,
      });
    } catch (error) {
      releaseActivitySlot(this.#activitySlot);
      throw error;
    }
    this.#worker.on('message', (message: FromThread) => this.#onMessage(message));
    this.#worker.on('error', (error) => {
      this.#error = error;
    });
    this.#worker.on('exit', (code) => {
      releaseActivitySlot(this.#activitySlot);
      this.state = 'exited';
      this.#hooks.exited(this, code, this.#error);
    });
    this.#unref();
  }

  get threadId(): number {
    return this.#worker.threadId;
  }

  /** Tasks sent (or about to be) and not yet settled. */
  get load(): number {
    return this.#slots.size;
  }

  get alive(): boolean {
    return this.state === 'starting' || this.state === 'ready';
  }

  /** The thread's event-loop utilization since it started, 0..1. */
  utilization(): number {
    return this.state === 'exited'
      ? 0
      : this.#worker.performance.eventLoopUtilization().utilization;
  }

  /**
   * Sends the task: at once if the thread has nothing else (it would wait idle for the rest
   * of a burst to be handed over), else in the next batch (flushed in a microtask).
   */
  send(task: TaskRecord): void {
    const idle = this.#slots.size === 0;
    if (idle) this.#ref();
    task.thread = this;
    task.seq = 0; // not sent by this thread yet (it may come from a dead one)
    task.slot = this.#slots.add(task);
    this.#outgoing.push(task);
    if (idle && !this.#flushQueued) this.#send();
    else this.#schedule();
  }

  /** Asks the thread to abort the task's `ctx.signal`. */
  cancel(task: TaskRecord, reason: unknown): void {
    this.#ops.push(OP_CANCEL, task.slot, serializeError(reason));
    this.#schedule();
  }

  /** Whether the thread has begun running the task's handler. */
  hasStarted(task: TaskRecord): boolean {
    return task.seq !== 0 && task.seq <= Atomics.load(this.#started, 0);
  }

  /**
   * When the thread began running the task's handler, on the main thread's
   * `performance.now()` scale, or `undefined` if it has not yet. If so many tasks started
   * since that its own time is no longer kept, the oldest time kept: later than its own,
   * so a timeout counted from it is late rather than early.
   */
  startedAt(task: TaskRecord): number | undefined {
    if (!this.hasStarted(task)) return undefined;
    const started = Atomics.load(this.#started, 0); // only grows: still counts the task
    const seq = started - task.seq >= START_TIMES ? started + 1 : task.seq;
    return this.#startTimes[seq % START_TIMES]! - performance.timeOrigin;
  }

  /** Keeps the process alive while this thread starts (work is waiting for it). */
  holdWhileStarting(): void {
    if (this.state === 'starting') this.#ref();
  }

  /** Takes every task off this (dead or dying) thread: those it started, and those it never did. */
  takeAll(): { started: TaskRecord[]; unstarted: TaskRecord[] } {
    const all = this.#slots.removeAll();
    const sent = all.filter((task) => task.seq !== 0).sort((a, b) => a.seq - b.seq);
    const started: TaskRecord[] = [];
    const unstarted: TaskRecord[] = [];
    for (const task of sent) (this.hasStarted(task) ? started : unstarted).push(task);
    unstarted.push(...this.#outgoing); // never sent: after the sent ones, in order
    for (const task of all) task.thread = undefined;
    this.#outgoing = [];
    this.#ops = [];
    return { started, unstarted };
  }

  /** Ends the thread at once, whatever it is running. */
  stop(reason: unknown): Promise<number> {
    if (this.state !== 'exited') {
      this.state = 'stopping';
      this.stopReason = reason;
    }
    return this.#worker.terminate();
  }

  #schedule(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    defer(this.#flush);
  }

  #send(): void {
    this.#flushQueued = false;
    if (!this.alive) return;
    const ops = this.#ops;
    const outgoing = this.#outgoing;
    const cancels = ops.length;
    const before = this.#sent;
    for (const task of outgoing) {
      if (task.cancelled) {
        // Aborted before it left: it never runs, and the thread hears nothing of it.
        this.#slots.remove(task.slot);
        task.thread = undefined;
        this.#hooks.settled(task, false, task.reason);
        continue;
      }
      task.seq = ++this.#sent;
      if (task.attempt === 1) ops.push(task.slot, task.job);
      else ops.push(-task.slot, task.job, task.attempt);
      if (task.transfer !== undefined) this.#transfer.push(...task.transfer);
    }
    this.#outgoing = [];
    const transfer = this.#transfer;
    this.#ops = [];
    this.#transfer = [];
    if (ops.length > 0) {
      try {
        this.#worker.postMessage({ ops } satisfies ToThread, transfer);
        this.#hooks.sent(this);
      } catch {
        // Something in the batch cannot be cloned: send one by one, so only the culprits fail.
        this.#sent = before;
        this.#sendEach(
          ops.slice(0, cancels),
          outgoing.filter((task) => !task.cancelled),
        );
      }
    }
    if (this.#slots.size === 0) this.#becameIdle();
  }

  #sendEach(cancels: unknown[], tasks: TaskRecord[]): void {
    if (cancels.length > 0) this.#worker.postMessage({ ops: cancels } satisfies ToThread);
    for (const task of tasks) {
      try {
        const op = [-task.slot, task.job, task.attempt];
        this.#worker.postMessage({ ops: op } satisfies ToThread, task.transfer as Transferable[]);
        task.seq = ++this.#sent;
      } catch (error) {
        this.#slots.remove(task.slot);
        task.thread = undefined;
        this.#hooks.settled(task, false, error);
      }
    }
  }

  #onMessage(message: FromThread): void {
    if (message.type === 'results') {
      const results = message.results;
      this.#hooks.busy(message.busy);
      for (let i = 0; i < results.length; i += RESULT_WIDTH) {
        const signed = results[i] as number;
        const ok = signed > 0;
        const slot = ok ? signed : -signed;
        const task = this.#slots.get(slot);
        if (task === undefined) continue;
        this.#slots.remove(slot);
        task.thread = undefined;
        this.completed++;
        this.#hooks.settled(task, ok, ok ? results[i + 1] : deserializeError(results[i + 1]));
      }
      if (this.#slots.size === 0) this.#becameIdle();
    } else if (message.type === 'ready') {
      this.loaded = true;
      if (this.state === 'starting') this.state = 'ready';
      if (this.#slots.size === 0) this.#unref();
      this.#hooks.ready(this);
    } else {
      this.state = 'failed';
      this.#hooks.loadFailed(this, message.invalidExport, deserializeError(message.error));
    }
  }

  #becameIdle(): void {
    this.#unref();
    this.#hooks.idle(this);
  }

  #ref(): void {
    if (this.#referenced) return;
    this.#referenced = true;
    this.#worker.ref();
  }

  #unref(): void {
    if (!this.#referenced) return;
    this.#referenced = false;
    this.#worker.unref();
  }
}

function startWorker(
  spec: ThreadSpec,
  own: Pick<ThreadData, PerThread>,
  execArgv = spec.execArgv,
): Worker {
  try {
    return new Worker(spec.entry, {
      eval: spec.eval,
      workerData: { ...spec.data, ...own } satisfies ThreadData,
      resourceLimits: spec.resourceLimits,
      execArgv,
      env: spec.env,
    });
  } catch (error) {
    // An explicit option list may not name process-wide flags (`--expose-gc`, ...); Node
    // says which, and a thread that inherits does without them anyway.
    const code = (error as { code?: unknown }).code;
    if (code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || execArgv === undefined) throw error;
    const invalid = (error as Error).message.split(': ').slice(1).join(': ').split(', ');
    return startWorker(
      spec,
      own,
      execArgv.filter((arg) => !invalid.includes(arg.split('=')[0]!)),
    );
  }
}
