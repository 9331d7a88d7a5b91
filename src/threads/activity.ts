/**
 * Which threads of this process's ThreadPools are on a core right now (running tasks, or
 * polling for the next one), so that a thread that runs out of tasks polls only while a
 * core is free: Go's rule for spinning threads, which look for work only while there are
 * idle processors, so that spinning never takes a core from a thread with work to do.
 *
 * One shared `Int32Array` for the whole process: index 0 holds how many slots were ever
 * handed out (the high-water mark); every other index is one thread's state: `RESTING`
 * (waiting in its event loop), `WORKING` or `POLLING`. A thread writes only its own.
 * Per-thread states rather than a shared counter: a thread can be terminated between any
 * two of its statements, and a counter it had raised would stay raised for good; a dead
 * thread's state is simply cleared here, when its slot is freed.
 *
 * Two threads that begin to poll at once must not both give way to the other: a poller
 * counts the working threads and only the pollers in lower slots (`countAhead`), so the
 * lower slot keeps polling and the higher one rests.
 */

export const RESTING = 0;
export const WORKING = 1;
export const POLLING = 2;

/** Threads beyond this many (alive at once, across pools) get no slot and never poll. */
const SLOTS = 1024;

let activity: Int32Array | undefined;
const free: number[] = [];
let next = 1;

/** The process's activity flags, made on first use. */
export function activityFlags(): Int32Array {
  return (activity ??= new Int32Array(new SharedArrayBuffer(4 * (SLOTS + 1))));
}

/** A slot for a new thread, or 0 when all are taken (that thread then never polls). */
export function takeActivitySlot(): number {
  const flags = activityFlags();
  const slot = free.pop();
  if (slot !== undefined) return slot;
  if (next > SLOTS) return 0;
  Atomics.store(flags, 0, next);
  return next++;
}

/** Frees a dead thread's slot, clearing its state whatever it died in. */
export function releaseActivitySlot(slot: number): void {
  if (slot === 0) return;
  Atomics.store(activityFlags(), slot, 0);
  free.push(slot);
}

/** How many threads are on a core now, working or polling. */
export function countActive(flags: Int32Array): number {
  let count = 0;
  for (let i = Atomics.load(flags, 0); i > 0; i--) if (Atomics.load(flags, i) !== RESTING) count++;
  return count;
}

/** How many threads a poller in `slot` gives way to: every working one, and pollers in lower slots. */
export function countAhead(flags: Int32Array, slot: number): number {
  let count = 0;
  for (let i = Atomics.load(flags, 0); i > 0; i--) {
    const state = Atomics.load(flags, i);
    if (state === WORKING || (state === POLLING && i < slot)) count++;
  }
  return count;
}
