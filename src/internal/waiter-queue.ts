/**
 * An intrusive doubly linked FIFO of waiters: the waiter record is its own node, so
 * queueing allocates nothing, and a waiter that withdraws (abort, a lost select case)
 * leaves in O(1) instead of lingering as a tombstone.
 *
 * Invariant: `node.queue === q` exactly while the node is linked into `q`.
 */
export interface WaiterNode {
  prev: WaiterNode | null;
  next: WaiterNode | null;
  queue: WaiterQueue<WaiterNode> | null;
}

export class WaiterQueue<W extends WaiterNode> {
  #head: W | null = null;
  #tail: W | null = null;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** The oldest waiter, still queued. */
  peek(): W | null {
    return this.#head;
  }

  push(node: W): void {
    node.queue = this;
    node.next = null;
    node.prev = this.#tail;
    if (this.#tail === null) this.#head = node;
    else this.#tail.next = node;
    this.#tail = node;
    this.#length++;
  }

  /** Removes and returns the oldest waiter; `null` when empty. */
  shift(): W | null {
    const node = this.#head;
    if (node !== null) this.remove(node);
    return node;
  }

  /** Unlinks `node` if it is in this queue; returns whether it was. */
  remove(node: W): boolean {
    if (node.queue !== (this as WaiterQueue<WaiterNode>)) return false;
    if (node.prev === null) this.#head = node.next as W | null;
    else node.prev.next = node.next;
    if (node.next === null) this.#tail = node.prev as W | null;
    else node.next.prev = node.prev;
    node.prev = node.next = null;
    node.queue = null;
    this.#length--;
    return true;
  }
}
