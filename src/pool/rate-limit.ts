import { performance } from 'node:perf_hooks';
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
   * Records a start now and returns `true` if the window has room; otherwise returns
   * `false` and makes sure `onFree` is called once room opens up. It reads the clock itself:
   * a reading the pool took earlier is stale once user code has run (a handler started in
   * the same turn, an event listener, a map's input), and a start recorded too early lets
   * the window admit one more start than `limit` within `interval` ms of real time.
   */
  tryStart(): boolean {
    const now = performance.now();
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

  /**
   * Moves the newest start (the one `tryStart` just let through) to now, when its attempt
   * really begins: the way from one to the other can take a while (a first call, a garbage
   * collection), and a start counted too early lets one more in within a real `interval`.
   */
  restamp(): void {
    this.#starts.pop();
    this.#starts.push(performance.now());
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
