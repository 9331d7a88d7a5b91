/** Per thread, keep about this much synchronous handler time (ms) in flight. */
const TARGET_QUEUED_MS = 5;
export const MIN_DEPTH = 2;
export const MAX_DEPTH = 256;

/**
 * How many tasks per thread are worth keeping in flight, from how long handlers block
 * their thread (a moving average of each result batch's mean): enough to batch tiny tasks
 * (up to 256), down to 2 for tasks of 2.5 ms or more (one running, one ready), so that long
 * tasks wait in the pool's queue, where priorities and cancellation apply, rather than
 * inside a thread.
 *
 * It grows at most twofold per batch (and shrinks at once): a few tiny tasks (a warm-up, a
 * health check) must not open the gates to 256 tasks a thread, or a burst of long tasks
 * that follows would be dealt out in two halves at once, with no thread left to take over
 * when the other one finishes first. Tiny tasks reach 256 within eight batches.
 */
export class DepthAdvisor {
  depth = MIN_DEPTH;
  #average = -1;

  /** The moving average of handler time per task in ms; -1 before the first batch. */
  get taskMs(): number {
    return this.#average;
  }

  /** Records a batch's mean handler time; returns whether `depth` changed. */
  observe(ms: number): boolean {
    this.#average = this.#average < 0 ? ms : this.#average * 0.7 + ms * 0.3;
    const ideal = this.#average <= 0 ? MAX_DEPTH : Math.ceil(TARGET_QUEUED_MS / this.#average);
    const depth = Math.max(MIN_DEPTH, Math.min(MAX_DEPTH, ideal, this.depth * 2));
    // Only a real change (a factor of two either way) counts, to keep resizing rare.
    if (depth < this.depth * 2 && depth * 2 > this.depth) return false;
    this.depth = depth;
    return true;
  }
}
