/**
 * Backoff between attempts: exponential, capped, with full jitter by default
 * ("Exponential Backoff And Jitter", AWS Architecture Blog). Attempt `n` (1-based) that
 * failed waits `min(maxDelay, minDelay × factor^(n-1))` before attempt `n + 1`; with
 * jitter, a uniformly random delay between 0 and that.
 */
export class RetryPolicy {
  readonly retries: number;
  readonly minDelay: number;
  readonly maxDelay: number;
  readonly factor: number;
  readonly jitter: boolean;
  readonly retryIf: ((error: unknown, attempt: number) => boolean) | undefined;

  constructor(
    retries: number,
    minDelay: number,
    maxDelay: number,
    factor: number,
    jitter: boolean,
    retryIf: ((error: unknown, attempt: number) => boolean) | undefined,
  ) {
    this.retries = retries;
    this.minDelay = minDelay;
    this.maxDelay = maxDelay;
    this.factor = factor;
    this.jitter = jitter;
    this.retryIf = retryIf;
  }

  /**
   * Whether attempt `attempt` (1-based), which failed with `error`, is followed by
   * another. A `retryIf` that throws counts as "no"; its error is the one that settles the task.
   */
  shouldRetry(error: unknown, attempt: number): boolean {
    if (attempt > this.retries) return false;
    return this.retryIf === undefined || this.retryIf(error, attempt) === true;
  }

  /** The delay in ms before the attempt after attempt `attempt` (1-based). */
  delay(attempt: number): number {
    const exponential = Math.min(this.maxDelay, this.minDelay * this.factor ** (attempt - 1));
    return this.jitter ? Math.floor(Math.random() * (exponential + 1)) : exponential;
  }
}
