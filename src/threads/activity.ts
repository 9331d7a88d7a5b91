/**
 * Which threads of this process's ThreadPools are running tasks right now, so that the main
 * thread keeps its event loop turning for a result (see stay-awake.ts) only while a core is
 * free: Go's rule for spinning, which looks for work only while processors are idle, so that
 * it never takes a core from a thread with work to do.
 *
 * One shared `Int32Array` for the whole process: index 0 holds how many slots were ever
 * handed out (the high-water mark); every other index is one thread's state, `WORKING` while
 * it runs a batch of tasks, else `RESTING`. A thread writes only its own. Per-thread states
 * rather than a shared counter: a thread can be terminated between any two of its
 * statements, and a counter it had raised would stay raised for good; a dead thread's state
 * is simply cleared here, when its slot is freed.
 */

export const RESTING = 0;
export const WORKING = 1;

/** Threads beyond this many (alive at once, across pools) get no slot and are not counted. */
const SLOTS = 1024;

let activity: Int32Array | undefined;
const free: number[] = [];
let next = 1;

/** The process's activity states, made on first use. */
export function activityFlags(): Int32Array {
  return (activity ??= new Int32Array(new SharedArrayBuffer(4 * (SLOTS + 1))));
}

/** A slot for a new thread, or 0 when all are taken. */
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
  Atomics.store(activityFlags(), slot, RESTING);
  free.push(slot);
}

/** How many threads are running tasks now. */
export function countWorking(flags: Int32Array): number {
  let count = 0;
  for (let i = Atomics.load(flags, 0); i > 0; i--) count += Atomics.load(flags, i);
  return count;
}
