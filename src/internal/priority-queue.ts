import { RingBuffer } from './ring-buffer.js';

interface Level<T> {
  readonly priority: number;
  readonly items: RingBuffer<T>;
}

/**
 * A bucketed priority queue: one FIFO ring buffer per distinct priority, the levels kept
 * sorted highest first. Higher priority comes out first, FIFO within a priority. Every
 * operation is O(1) in the number of items and O(log L) in the number of distinct
 * priorities L (a binary search only when an item's level is not the one last used), so
 * the common case of one priority is a plain ring buffer. Empty levels other than the
 * default (0) are dropped, so L stays the number of priorities in use.
 */
export class PriorityQueue<T> {
  /** Sorted by priority, highest first. */
  #levels: Level<T>[] = [{ priority: 0, items: new RingBuffer<T>() }];
  #last: Level<T> = this.#levels[0]!;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** Adds an item behind every item of the same priority. */
  push(item: T, priority: number): void {
    this.#level(priority).items.push(item);
    this.#length++;
  }

  /** Adds an item in front of every item of the same priority. */
  unshift(item: T, priority: number): void {
    this.#level(priority).items.unshift(item);
    this.#length++;
  }

  /** Removes and returns the oldest item of the highest priority; `undefined` when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const levels = this.#levels;
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i]!;
      if (level.items.length === 0) continue;
      const item = level.items.shift();
      this.#length--;
      if (level.items.length === 0 && level.priority !== 0) this.#drop(i);
      return item;
    }
    return undefined;
  }

  /** The item `shift()` would return next, left in place. */
  peek(): T | undefined {
    for (const level of this.#levels) if (level.items.length > 0) return level.items.peek();
    return undefined;
  }

  /** Every item, highest priority first, FIFO within one (without removing them). */
  *[Symbol.iterator](): IterableIterator<T> {
    for (const level of this.#levels) yield* level.items;
  }

  /** Removes every item, returning them highest priority first. */
  drain(): T[] {
    const out: T[] = [];
    for (const level of this.#levels) {
      for (let item = level.items.shift(); item !== undefined; item = level.items.shift()) {
        out.push(item);
      }
    }
    this.#levels = [{ priority: 0, items: new RingBuffer<T>() }];
    this.#last = this.#levels[0]!;
    this.#length = 0;
    return out;
  }

  #level(priority: number): Level<T> {
    if (this.#last.priority === priority) return this.#last;
    const levels = this.#levels;
    let lo = 0;
    let hi = levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (levels[mid]!.priority > priority) lo = mid + 1;
      else hi = mid;
    }
    let level = levels[lo];
    if (level === undefined || level.priority !== priority) {
      level = { priority, items: new RingBuffer<T>() };
      levels.splice(lo, 0, level);
    }
    this.#last = level;
    return level;
  }

  #drop(index: number): void {
    const [level] = this.#levels.splice(index, 1);
    if (this.#last === level) this.#last = this.#levels[0]!;
  }
}
