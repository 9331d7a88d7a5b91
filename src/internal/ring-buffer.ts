/**
 * A growable FIFO ring buffer: O(1) push, shift and peek at either end, no
 * `Array.shift()`. Capacity is a power of two and doubles when full; it never
 * shrinks, so a queue that once held many items keeps its storage (reuse over churn).
 */
export class RingBuffer<T> {
  #items: (T | undefined)[];
  #mask: number;
  #head = 0;
  #length = 0;

  constructor(initialCapacity = 16) {
    let capacity = 4;
    while (capacity < initialCapacity) capacity *= 2;
    this.#items = new Array<T | undefined>(capacity);
    this.#mask = capacity - 1;
  }

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) & this.#mask] = item;
    this.#length++;
  }

  /** Puts an item at the front, so it is the next one `shift()` returns. */
  unshift(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#head = (this.#head - 1) & this.#mask;
    this.#items[this.#head] = item;
    this.#length++;
  }

  /** Removes and returns the oldest item; `undefined` when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#length--;
    return item;
  }

  /** Removes and returns the newest item; `undefined` when empty. */
  pop(): T | undefined {
    if (this.#length === 0) return undefined;
    const index = (this.#head + this.#length - 1) & this.#mask;
    const item = this.#items[index];
    this.#items[index] = undefined;
    this.#length--;
    return item;
  }

  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /** The item `index` places from the front (0 is the oldest). */
  at(index: number): T | undefined {
    return index < 0 || index >= this.#length
      ? undefined
      : this.#items[(this.#head + index) & this.#mask];
  }

  /**
   * Removes the first item that is `item` (by identity). O(n); for the rare
   * path of a waiter that withdraws, where a lazily-skipped tombstone would not do.
   */
  remove(item: T): boolean {
    for (let i = 0; i < this.#length; i++) {
      if (this.#items[(this.#head + i) & this.#mask] === item) {
        for (let j = i; j < this.#length - 1; j++) {
          this.#items[(this.#head + j) & this.#mask] =
            this.#items[(this.#head + j + 1) & this.#mask];
        }
        this.#items[(this.#head + this.#length - 1) & this.#mask] = undefined;
        this.#length--;
        return true;
      }
    }
    return false;
  }

  clear(): void {
    this.#items.fill(undefined);
    this.#head = 0;
    this.#length = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.#length; i++) yield this.#items[(this.#head + i) & this.#mask] as T;
  }

  #grow(): void {
    const old = this.#items;
    const capacity = old.length * 2;
    const items = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.#length; i++) items[i] = old[(this.#head + i) & this.#mask];
    this.#items = items;
    this.#head = 0;
    this.#mask = capacity - 1;
  }
}
