/**
 * Where a pool's tasks wait while no worker runs them: the queue (at most `queueSize`
 * tasks, by priority), the hand-overs blocked while the queue is full (FIFO; `submit` and
 * `run` wait there for room), and the retries waiting out their backoff delay.
 *
 * A task is in at most one of the three. Blocked hand-overs enter the queue, oldest first,
 * as it frees room; with `queueSize: 0` a worker takes them directly (hand-off). A
 * cancelled blocked hand-over stays in its list as a tombstone that is skipped, so
 * withdrawing it is O(1); `blocked` counts live ones only.
 *
 * A waiting task's `current` holds when it began waiting, in whole microseconds since
 * `#epoch`: a small integer, which V8 keeps inside the record. A float there would be a
 * 16-byte heap number per queued task, long-lived with it; with 100,000 tasks queued by
 * `run` that cost a third of the throughput. The epoch moves up whenever nothing waits, so
 * the numbers stay small; a queue that never empties for 35 minutes gets floats, which
 * are just as right.
 */
import { RingBuffer } from '../internal/ring-buffer.js';
import { MemoryQueue, type TaskQueue } from './queue.js';
import {
  BACKOFF,
  BLOCKED,
  FAILED,
  QUEUED,
  SubmitWaiter,
  type TaskConfig,
  type TaskRecord,
} from './task.js';

function isQueued<J, R>(task: TaskRecord<J, R>): boolean {
  return task.state === QUEUED;
}

export class WaitingTasks<J, R> {
  readonly #queueSize: number;
  readonly #queue: TaskQueue<TaskRecord<J, R>> = new MemoryQueue<TaskRecord<J, R>>(isQueued);
  readonly #blocked = new RingBuffer<TaskRecord<J, R>>();
  #blockedLive = 0;
  readonly #backoff = new Set<TaskRecord<J, R>>();
  /** The time (performance.now()) that waiting times are counted from. */
  #epoch = 0;

  constructor(queueSize: number) {
    this.#queueSize = queueSize;
  }

  /** Tasks in the queue. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Retries waiting out their delay. */
  get retrying(): number {
    return this.#backoff.size;
  }

  /** Whether a task is ready for a worker (queued or blocked; not a retry in backoff). */
  get ready(): boolean {
    return this.#queue.length > 0 || this.#blockedLive > 0;
  }

  /** Whether no task waits at all, retries included. */
  get empty(): boolean {
    return this.#queue.length === 0 && this.#blockedLive === 0 && this.#backoff.size === 0;
  }

  /** Whether a new hand-over can enter the queue now (room, and nobody blocked ahead of it). */
  get hasRoom(): boolean {
    return this.#blockedLive === 0 && this.#queue.length < this.#queueSize;
  }

  /** Queues a task handed over at `now` (performance.now()). */
  enqueue(task: TaskRecord<J, R>, now: number): void {
    this.#enqueue(task, this.#since(now));
  }

  #enqueue(task: TaskRecord<J, R>, since: number): void {
    task.state = QUEUED;
    task.current = since;
    this.#queue.put(task, task.config.priority, false);
  }

  /** Blocks a hand-over until the queue has room for it. */
  block(task: TaskRecord<J, R>, now: number): void {
    task.state = BLOCKED;
    task.current = this.#since(now);
    this.#blocked.push(task);
    this.#blockedLive++;
  }

  /** `now` in µs since the epoch, moving the epoch up first if nothing waits. */
  #since(now: number): number {
    if (this.#queue.length === 0 && this.#blockedLive === 0) this.#epoch = now;
    return Math.round((now - this.#epoch) * 1000);
  }

  /**
   * How long (ms) a task that was just taken, queued or blocked, has waited by `now`;
   * 0 for one that never waited. Call before anything else is handed over.
   */
  waited(task: TaskRecord<J, R>, now: number): number {
    const since = task.current;
    if (typeof since !== 'number') return 0;
    return Math.max(0, now - this.#epoch - since / 1000);
  }

  /** Removes and returns the next task to start, then lets blocked hand-overs into the room it freed. */
  take(): TaskRecord<J, R> | undefined {
    const task = this.#queue.take() ?? this.#unblock();
    this.admit();
    return task;
  }

  /** Moves blocked hand-overs into the queue while it has room. */
  admit(): void {
    while (this.#blockedLive > 0 && this.#queue.length < this.#queueSize) {
      const task = this.#unblock()!;
      this.#enqueue(task, task.current as number); // waiting began when it was handed over
    }
  }

  /** Takes the first live blocked hand-over, telling a waiting `submit` that it is accepted. */
  #unblock(): TaskRecord<J, R> | undefined {
    for (;;) {
      const task = this.#blocked.shift();
      if (task === undefined) return undefined;
      if (task.state !== BLOCKED) continue;
      this.#blockedLive--;
      const waiter = task.outcome;
      if (waiter instanceof SubmitWaiter) {
        task.outcome = undefined;
        (waiter as SubmitWaiter<R>).admitted(task);
      }
      return task;
    }
  }

  /** Parks a failed task until its retry (the caller sets the timer that requeues it). */
  backoff(task: TaskRecord<J, R>): void {
    task.state = BACKOFF;
    this.#backoff.add(task);
  }

  /** A retry's delay is over: back into the queue, in front of its priority (it continues work already begun). */
  requeue(task: TaskRecord<J, R>, now: number): void {
    this.#backoff.delete(task);
    task.state = QUEUED;
    task.current = this.#since(now);
    this.#queue.put(task, task.config.priority, true);
  }

  /** Withdraws a blocked or queued task that is being cancelled; it is never taken. */
  withdraw(task: TaskRecord<J, R>): void {
    if (task.state === BLOCKED) {
      this.#blockedLive--;
    } else if (task.state === QUEUED) {
      task.state = FAILED; // a tombstone from now on
      this.#queue.settle(task, false);
    }
  }

  /** A retry in backoff settles (cancelled, aborted): its timer is cleared. */
  endBackoff(task: TaskRecord<J, R>): void {
    clearTimeout(task.current as NodeJS.Timeout);
    this.#backoff.delete(task);
  }

  /** Every waiting task handed over with `config` (a map that stops); O(waiting tasks). */
  withConfig(config: TaskConfig<J, R>): TaskRecord<J, R>[] {
    const found: TaskRecord<J, R>[] = [];
    for (const task of this.#blocked)
      if (task.config === config && task.state === BLOCKED) found.push(task);
    for (const task of this.#queue.waiting()) if (task.config === config) found.push(task);
    for (const task of this.#backoff) if (task.config === config) found.push(task);
    return found;
  }

  /**
   * Every waiting task (on abort): blocked hand-overs and queued tasks, removed, then the
   * retries in backoff, which stay until each settles (`endBackoff`).
   */
  removeAll(): TaskRecord<J, R>[] {
    const all: TaskRecord<J, R>[] = [];
    for (let task = this.#blocked.shift(); task !== undefined; task = this.#blocked.shift()) {
      if (task.state === BLOCKED) all.push(task);
    }
    this.#blockedLive = 0;
    for (const task of this.#queue.drain()) all.push(task);
    for (const task of this.#backoff) all.push(task);
    return all;
  }
}
