import { performance } from 'node:perf_hooks';

/**
 * Milliseconds since the epoch, read from the monotonic clock: the wall time at which this
 * process started plus the time since. Differences between two readings are exact even when
 * the system clock is adjusted meanwhile (on a VM it was seen to move 15 ms against the
 * monotonic clock within 5 s), so job durations, the order of starts and the gaps a `--rate`
 * leaves come out right in the results and the job log. The absolute value is off from the
 * system clock by no more than the clock was adjusted since crew started.
 */
export function wallClock(): number {
  return Math.round(performance.timeOrigin + performance.now());
}
