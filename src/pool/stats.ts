import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

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
  /** Tasks waiting to start (not counting tasks waiting out a retry delay). */
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
  readonly #wait: RecordableHistogram = createHistogram();
  readonly #run: RecordableHistogram = createHistogram();

  /** Records a wait of `ms` milliseconds. */
  wait(ms: number): void {
    this.#wait.record(ms < 0.001 ? 1 : Math.round(ms * 1000));
  }

  /** Records a run of `ms` milliseconds. */
  run(ms: number): void {
    this.#run.record(ms < 0.001 ? 1 : Math.round(ms * 1000));
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
      waitTime: summarize(this.#wait),
      runTime: summarize(this.#run),
    };
  }
}

function summarize(h: RecordableHistogram): DurationSummary {
  if (h.count === 0) return { count: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p99: 0 };
  return {
    count: h.count,
    min: h.min / 1000,
    max: h.max / 1000,
    mean: h.mean / 1000,
    p50: h.percentile(50) / 1000,
    p90: h.percentile(90) / 1000,
    p99: h.percentile(99) / 1000,
  };
}
