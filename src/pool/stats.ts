/**
 * A pool's counters and timing summaries. Durations go into a log-linear histogram kept in
 * JavaScript: node:perf_hooks' `createHistogram` was measured at about 7% of the CPU time
 * of a stream of no-op jobs (each `record()` crosses into C++), this one at well under 1%.
 * Buckets are exact below 64 µs and about 3% wide above, like HdrHistogram with two
 * significant digits; count, min, max and mean are exact.
 */

/** A summary of durations, in milliseconds (microsecond resolution). All 0 while `count` is 0. */
export interface DurationSummary {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** A snapshot of a pool's counters; `pool.stats` makes a new one on each read. */
export interface PoolStats {
  /** Handlers running now (a timed-out or cancelled attempt runs until its handler returns). */
  readonly running: number;
  /**
   * Tasks in the queue, waiting to start. Not counted: hand-overs still waiting for room
   * (a `submit` that has not resolved) and tasks waiting out a retry delay (`retrying`).
   */
  readonly queued: number;
  /** Tasks waiting out a retry delay. */
  readonly retrying: number;
  /** Tasks that settled with a value. */
  readonly succeeded: number;
  /** Tasks that settled with an error after their last attempt (cancellations not included). */
  readonly failed: number;
  /** Retries scheduled (a task retried twice counts 2). */
  readonly retried: number;
  /** Tasks settled by cancellation: their signal, `task.cancel()`, `abort()` or the pool's signal. */
  readonly cancelled: number;
  /** Time from queued (or from the end of a retry delay) to the attempt's start. */
  readonly waitTime: DurationSummary;
  /** Time from an attempt's start until its handler returned. */
  readonly runTime: DurationSummary;
}

/** Counters and histograms behind `pool.stats`; the engine writes, `snapshot()` reads. */
export class StatsRecorder {
  succeeded = 0;
  failed = 0;
  retried = 0;
  cancelled = 0;
  readonly #wait = new Histogram();
  readonly #run = new Histogram();

  /** Records a wait of `ms` milliseconds. */
  wait(ms: number): void {
    this.#wait.record(ms);
  }

  /** Records a run of `ms` milliseconds. */
  run(ms: number): void {
    this.#run.record(ms);
  }

  snapshot(running: number, queued: number, retrying: number): PoolStats {
    return {
      running,
      queued,
      retrying,
      succeeded: this.succeeded,
      failed: this.failed,
      retried: this.retried,
      cancelled: this.cancelled,
      waitTime: this.#wait.summary(),
      runTime: this.#run.summary(),
    };
  }
}

const EXACT = 64; // values below this many µs get a bucket each
const SUB_BITS = 5; // 32 sub-buckets per power of two above: ~3% wide
const BUCKETS = EXACT + (31 - 6) * (1 << SUB_BITS);

/** Bucket index of a duration in whole µs (clamped to 2^31 - 1 µs, about 35 minutes). */
function bucketOf(us: number): number {
  if (us < EXACT) return us;
  const v = us > 0x7fffffff ? 0x7fffffff : us;
  const e = 31 - Math.clz32(v); // ≥ 6
  return EXACT + ((e - 6) << SUB_BITS) + ((v >>> (e - SUB_BITS)) & ((1 << SUB_BITS) - 1));
}

/** The middle of a bucket, in µs. */
function valueOf(bucket: number): number {
  if (bucket < EXACT) return bucket;
  const e = 6 + ((bucket - EXACT) >> SUB_BITS);
  const sub = (bucket - EXACT) & ((1 << SUB_BITS) - 1);
  const width = 2 ** (e - SUB_BITS);
  return ((1 << SUB_BITS) + sub) * width + width / 2;
}

/** A log-linear histogram of durations. */
class Histogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = 0;

  /** Records `ms` milliseconds. */
  record(ms: number): void {
    const us = ms > 0 ? ms * 1000 : 0;
    this.#counts[bucketOf(Math.floor(us))]!++;
    this.#count++;
    this.#sum += us;
    if (us < this.#min) this.#min = us;
    if (us > this.#max) this.#max = us;
  }

  summary(): DurationSummary {
    const count = this.#count;
    if (count === 0) return { count: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p99: 0 };
    return {
      count,
      min: this.#min / 1000,
      max: this.#max / 1000,
      mean: this.#sum / count / 1000,
      p50: this.#percentile(50) / 1000,
      p90: this.#percentile(90) / 1000,
      p99: this.#percentile(99) / 1000,
    };
  }

  /** The value at or below which `p` percent of the recorded values fall, in µs. */
  #percentile(p: number): number {
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.#counts[bucket]!;
      if (seen >= rank) return Math.min(this.#max, Math.max(this.#min, valueOf(bucket)));
    }
    return this.#max;
  }
}
