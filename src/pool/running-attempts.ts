import type { AttemptContext, TaskRecord } from './task.js';
import { RUNNING } from './task.js';

/**
 * The attempts whose handlers have not returned yet, newest first: a doubly linked list
 * through the attempts themselves, so that starting and ending one allocates nothing.
 *
 * An attempt stays here until its handler returns, also after its task settled without it
 * (a timeout, a cancellation): it still holds its worker. Whether an attempt is still its
 * task's is `isCurrent`.
 */
export class RunningAttempts<J, R> {
  #newest: AttemptContext<J, R> | undefined = undefined;
  /** How many there are: handlers that have not returned. */
  count = 0;

  add(ctx: AttemptContext<J, R>): void {
    const newest = this.#newest;
    if (newest !== undefined) {
      newest.prev = ctx;
      ctx.next = newest;
    }
    this.#newest = ctx;
    this.count++;
  }

  remove(ctx: AttemptContext<J, R>): void {
    if (ctx.prev !== undefined) ctx.prev.next = ctx.next;
    else this.#newest = ctx.next;
    if (ctx.next !== undefined) ctx.next.prev = ctx.prev;
    ctx.prev = ctx.next = undefined;
    this.count--;
  }

  /** All of them, as an array (for the rare paths that act on every one: abort, a map's stop). */
  all(): AttemptContext<J, R>[] {
    const all: AttemptContext<J, R>[] = [];
    for (let ctx = this.#newest; ctx !== undefined; ctx = ctx.next) all.push(ctx);
    return all;
  }
}

/** Whether `ctx` is still its task's running attempt (not timed out, cancelled or aborted). */
export function isCurrent<J, R>(ctx: AttemptContext<J, R>): boolean {
  const task: TaskRecord<J, R> = ctx.task;
  return task.current === ctx && task.state === RUNNING;
}
