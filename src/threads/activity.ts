/**
 * Which threads of this process's ThreadPools are on a core right now (running tasks, or
 * polling for the next one), so that a thread that runs out of tasks polls only while a
 * core is free: Go's rule for spinning threads, which look for work only while there are
 * idle processors, so that spinning never takes a core from a thread with work to do.
 *
 * One shared `Int32Array` for the whole process: index 0 holds how many slots were ever
 * handed out (the high-water mark); every other index is one thread's flag, 1 while it is
 * on a core. A thread writes only its own flag, and `countActive` sums them. Flags rather
 * than a shared counter: a thread can be terminated between any two of its statements, and
 * a counter it had raised would stay raised for good; a dead thread's flag is simply
 * cleared here, when its slot is freed.
 */

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

/** Frees a dead thread's slot, clearing its flag whatever state it died in. */
export function releaseActivitySlot(slot: number): void {
  if (slot === 0) return;
  Atomics.store(activityFlags(), slot, 0);
  free.push(slot);
}

/** How many threads are on a core now, by their flags. */
export function countActive(flags: Int32Array): number {
  let count = 0;
  for (let i = Atomics.load(flags, 0); i > 0; i--) count += Atomics.load(flags, i);
  return count;
}
