/**
 * Where a pool's tasks wait to start, behind one small interface so that a durable queue
 * (SQLite, PostgreSQL; see "Later" in DESIGN.md) can take the in-memory one's place
 * without workers, retries, timeouts, rate limits or stats noticing.
 */
import { PriorityQueue } from '../internal/priority-queue.js';

/** The seam between a pool's workers and the store of waiting tasks. */
export interface TaskQueue<T> {
  /** Tasks waiting to be taken. */
  readonly length: number;
  /** Adds a task: behind its priority's tasks, or in front of them when `front` (a retry). */
  put(task: T, priority: number, front: boolean): void;
  /** Removes and returns the next task to start (highest priority, then oldest); `undefined` when empty. */
  take(): T | undefined;
  /**
   * Says that a task left the pool: it was taken and has settled, or it was withdrawn
   * while waiting (cancelled), in which case it must never be taken.
   */
  settle(task: T, taken: boolean): void;
  /** Removes and returns every waiting task (on abort). */
  drain(): T[];
  /** Every waiting task, in no particular order, without removing them (rare paths only). */
  waiting(): Iterable<T>;
}

/**
 * The in-memory queue: a bucketed priority queue. A withdrawn task stays in place as a
 * tombstone that `take` skips, so withdrawing is O(1); `length` counts live tasks only.
 */
export class MemoryQueue<T> implements TaskQueue<T> {
  readonly #items = new PriorityQueue<T>();
  readonly #isLive: (task: T) => boolean;
  #length = 0;

  /** `isLive(task)` is false for a withdrawn task. */
  constructor(isLive: (task: T) => boolean) {
    this.#isLive = isLive;
  }

  get length(): number {
    return this.#length;
  }

  put(task: T, priority: number, front: boolean): void {
    if (front) this.#items.unshift(task, priority);
    else this.#items.push(task, priority);
    this.#length++;
  }

  take(): T | undefined {
    if (this.#length === 0) {
      if (this.#items.length > 0) this.#items.drain(); // only tombstones left
      return undefined;
    }
    for (;;) {
      const task = this.#items.shift()!;
      if (this.#isLive(task)) {
        this.#length--;
        return task;
      }
    }
  }

  settle(_task: T, taken: boolean): void {
    if (!taken) this.#length--;
  }

  drain(): T[] {
    this.#length = 0;
    return this.#items.drain().filter(this.#isLive);
  }

  waiting(): T[] {
    return [...this.#items].filter(this.#isLive);
  }
}
