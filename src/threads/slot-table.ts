/**
 * The tasks on one thread, by slot: a small number (from 1) that a task holds from the moment
 * it is handed to the thread until its outcome comes back, and that the thread knows it by.
 * A freed slot goes to the next task, so the numbers stay below the most tasks the thread
 * ever held at once, and the table is an array that never rehashes. (A Map keyed by task
 * ids, which only grow, grew and shrank its hash table with every batch: 100,000 tasks
 * at once ran about 40% faster without it, 0.34–0.41 against 0.49–0.55 million a second.)
 *
 * A slot is never reused while the thread may still report on its task: it is freed only
 * when the outcome has arrived (the thread is done with it) or the task was never sent. An
 * abort for a slot is sent only while its task holds it, and the thread reads messages in
 * order, so an abort can find the slot empty but never another task in it.
 */
export class SlotTable<T> {
  /** Index 0 is unused: slot numbers start at 1, as the protocol's signs need. */
  #items: (T | undefined)[] = [undefined];
  #free: number[] = [];
  #size = 0;

  /** Tasks holding a slot. */
  get size(): number {
    return this.#size;
  }

  /** Gives `item` a free slot and returns its number. */
  add(item: T): number {
    const slot = this.#free.pop() ?? this.#items.length;
    this.#items[slot] = item;
    this.#size++;
    return slot;
  }

  get(slot: number): T | undefined {
    return this.#items[slot];
  }

  /** Frees the slot; a no-op if it is free already. */
  remove(slot: number): void {
    if (this.#items[slot] === undefined) return;
    this.#items[slot] = undefined;
    this.#free.push(slot);
    this.#size--;
  }

  /** Frees every slot and returns what held them. */
  removeAll(): T[] {
    const all = this.#items.filter((item): item is T => item !== undefined);
    this.#items = [undefined];
    this.#free = [];
    this.#size = 0;
    return all;
  }
}
