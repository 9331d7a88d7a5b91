/**
 * `ThreadPoolOptions.idleSpin`: after a few quick tasks go to a thread, the main thread's
 * event loop keeps turning (a chain of `setImmediate`s, each a turn that polls for I/O
 * without blocking) rather than sleep in the operating system, for up to `idleSpin` ms or
 * until the thread's results are back, so that they find it awake. Waking a sleeping thread
 * costs tens of µs on a virtual machine; on the 2-core VM of the benchmarks, one awaited task
 * at a time took 19-21 µs instead of 42-50, with less CPU per task (a wake-up costs the
 * machine more than a few turns of the loop).
 *
 * It never blocks: timers, I/O and other callbacks run as usual in between. It runs only
 * while a core is free for it: while no more threads of the process's pools run tasks than
 * there are cores besides the main thread's (see activity.ts), so it never takes a core
 * from work.
 *
 * Only the main side waits this way. A thread that polled its port for the next task as
 * well (tried: a blocking poll of up to 50 µs after each small batch) halved the median
 * round trip again (11-16 µs), but with both sides on a core on two cores, the process's
 * other threads (V8's garbage collector helpers) waited, and the 95th to 99th percentiles
 * rose from 41-81 µs to 104-152.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { activityFlags, countWorking } from './activity.js';

/** What the loop stays awake for: tasks out on a thread (its `load`). */
export interface Awaited {
  readonly load: number;
}

/** The most threads that may run tasks while the main thread turns its loop (a core each). */
const otherCores = availableParallelism() - 1;
let deadline = 0;
let turning = false;
let awaited: Awaited | undefined;

/**
 * Keeps the event loop turning for `ms` from now, while `thread` has tasks out and a core
 * is free. The latest call sets both.
 */
export function stayAwake(ms: number, thread: Awaited): void {
  deadline = performance.now() + ms;
  awaited = thread;
  if (!turning) {
    turning = true;
    setImmediate(turn);
  }
}

function turn(): void {
  if (
    awaited!.load > 0 &&
    performance.now() < deadline &&
    countWorking(activityFlags()) <= otherCores
  ) {
    setImmediate(turn);
  } else {
    turning = false;
    awaited = undefined;
  }
}
