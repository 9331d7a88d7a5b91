import { performance } from 'node:perf_hooks';
import type { InvalidModuleError } from '../errors.js';

const MIN_BACKOFF = 250;
const MAX_BACKOFF = 30_000;

/**
 * What a pool remembers after its handler module failed to load, so that a broken module
 * never causes a respawn storm: the failure (tasks fail with it at once meanwhile) and
 * when a new thread may be tried, after a backoff that doubles with each failure (250 ms
 * up to 30 s) and resets once a thread loads. Timed on the monotonic clock, so that a change
 * of the system clock neither stalls the pool nor lets a storm through.
 */
export class LoadBackoff {
  /** The latest load failure, until a thread loads. */
  failure: InvalidModuleError | undefined = undefined;
  #retryAt = 0;
  #delay = MIN_BACKOFF;

  /** Whether a new thread may start now. */
  mayStart(): boolean {
    return this.failure === undefined || performance.now() >= this.#retryAt;
  }

  /** Milliseconds until a new thread may start (0: now). */
  wait(): number {
    return this.failure === undefined ? 0 : Math.max(0, this.#retryAt - performance.now());
  }

  /** A thread failed to load: back off (once per round of threads started together). */
  failed(failure: InvalidModuleError): void {
    if (this.mayStart()) {
      this.#retryAt = performance.now() + this.#delay;
      this.#delay = Math.min(this.#delay * 2, MAX_BACKOFF);
    }
    this.failure = failure;
  }

  /** A thread loaded its module. */
  loaded(): void {
    this.failure = undefined;
    this.#delay = MIN_BACKOFF;
  }
}
