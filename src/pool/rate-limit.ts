import { RingBuffer } from '../internal/ring-buffer.js';

/**
 * A sliding-window rate limiter: at most `limit` starts within any `interval` ms. It
 * remembers the times of the starts still inside the window (at most `limit` of them), so
 * the answer is exact, not per fixed bucket. When the window is full it arms ONE timer for
 * the moment the oldest start leaves the window, and calls `onFree` then; the pool never
 * holds a timer per task.
 */
export class RateLimiter {
  readonly limit: number;
  readonly interval: number;
  #starts = new RingBuffer<number>();
  #timer: NodeJS.Timeout | undefined;
  #onFree: () => void;

  constructor(limit: number, interval: number, onFree: () => void) {
    this.limit = limit;
    this.interval = interval;
    this.#onFree = onFree;
  }

  /**
   * Records a start at `now` and returns `true` if the window has room; otherwise
   * returns `false` and makes sure `onFree` is called once room opens up.
   */
  tryStart(now: number): boolean {
    const starts = this.#starts;
    while (starts.length > 0 && now - starts.peek()! >= this.interval) starts.shift();
    if (starts.length < this.limit) {
      starts.push(now);
      return true;
    }
    if (this.#timer === undefined) {
      const wait = Math.max(1, Math.ceil(starts.peek()! + this.interval - now));
      this.#timer = setTimeout(this.#fire, wait);
    }
    return false;
  }

  /** Whether a timer is armed (the pool waits for it before running more). */
  get waiting(): boolean {
    return this.#timer !== undefined;
  }

  /** Disarms the timer; `onFree` will not be called. */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #fire = (): void => {
    this.#timer = undefined;
    this.#onFree();
  };
}
