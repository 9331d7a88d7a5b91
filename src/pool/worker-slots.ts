import type { AttemptContext, TaskRecord } from './task.js';
import { RUNNING } from './task.js';

/**
 * One worker of a pool: the attempt whose handler it runs, from the handler's call until
 * its outcome arrives, and the two reactions that outcome settles into (made once per
 * slot, so that waiting allocates no closure). Slots outlive their workers: a worker that
 * stops leaves its slot for the next one.
 */
export class WorkerSlot<J, R> {
  /** The attempt whose handler has not returned, or `undefined` between tasks. */
  ctx: AttemptContext<J, R> | undefined = undefined;
  /**
   * When `ctx` started (performance.now()). Kept here, in a long-lived object whose float
   * field V8 updates in place, rather than in each attempt, where it cost a heap number.
   * It starts as a fraction so that V8 makes the field a double from the first slot on.
   */
  start = 0.5;
  /** Where the slot is in its `WorkerSlots`' busy list, or -1 while spare. */
  index = -1;
  readonly fulfilled: (value: unknown) => void;
  readonly rejected: (error: unknown) => void;

  constructor(resume: (slot: WorkerSlot<J, R>, outcome: unknown, failed: boolean) => void) {
    this.fulfilled = (value) => resume(this, value, false);
    this.rejected = (error) => resume(this, error, true);
  }
}

/**
 * The slots of a pool's running workers (busy) and of stopped ones (spare). Starting and
 * stopping a worker is O(1); the attempts whose handlers have not returned are the busy
 * slots' `ctx`, so starting and ending an attempt costs no bookkeeping here.
 */
export class WorkerSlots<J, R> {
  readonly #busy: WorkerSlot<J, R>[] = [];
  readonly #spare: WorkerSlot<J, R>[] = [];
  readonly #resume: (slot: WorkerSlot<J, R>, outcome: unknown, failed: boolean) => void;

  constructor(resume: (slot: WorkerSlot<J, R>, outcome: unknown, failed: boolean) => void) {
    this.#resume = resume;
  }

  /** A slot for a worker that starts: a spare one, or a new one. */
  acquire(): WorkerSlot<J, R> {
    const slot = this.#spare.pop() ?? new WorkerSlot<J, R>(this.#resume);
    slot.index = this.#busy.length;
    this.#busy.push(slot);
    return slot;
  }

  /** A worker stopped; its slot is kept while fewer than `keep` are spare. */
  release(slot: WorkerSlot<J, R>, keep: number): void {
    const busy = this.#busy;
    const last = busy.pop()!;
    if (last !== slot) {
      busy[slot.index] = last;
      last.index = slot.index;
    }
    slot.index = -1;
    if (this.#spare.length < keep) this.#spare.push(slot);
  }

  /** The attempts whose handlers have not returned, as an array (for abort and a map's stop). */
  attempts(): AttemptContext<J, R>[] {
    const all: AttemptContext<J, R>[] = [];
    for (const slot of this.#busy) if (slot.ctx !== undefined) all.push(slot.ctx);
    return all;
  }
}

/** Whether `ctx` is still its task's running attempt (not timed out, cancelled or aborted). */
export function isCurrent<J, R>(ctx: AttemptContext<J, R>): boolean {
  const task: TaskRecord<J, R> = ctx.task;
  return task.current === ctx && task.state === RUNNING;
}
