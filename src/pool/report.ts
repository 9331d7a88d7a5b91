/**
 * What a pool tells about its tasks: the counters and time summaries behind `pool.stats`,
 * and its events. The engine calls one method per thing that happened; each counts it and,
 * only when someone listens, builds the event's payload and emits it.
 */
import { Emitter, type PoolEvents } from './events.js';
import { StatsRecorder, type PoolStats } from './stats.js';

export class PoolReport<J, R> {
  readonly events = new Emitter<PoolEvents<J, R>>([
    'started',
    'retried',
    'succeeded',
    'failed',
    'cancelled',
    'idle',
  ]);
  readonly #stats = new StatsRecorder();

  /** An attempt started after its task waited `waited` ms. */
  started(job: J, attempt: number, waited: number): void {
    this.#stats.wait(waited);
    if (this.events.has('started')) this.events.emit('started', { job, attempt });
  }

  /** A handler returned (or threw) after `ms` milliseconds. */
  returned(ms: number): void {
    this.#stats.run(ms);
  }

  retried(job: J, attempt: number, error: unknown, delay: number): void {
    this.#stats.retried++;
    if (this.events.has('retried')) this.events.emit('retried', { job, attempt, error, delay });
  }

  succeeded(job: J, value: R, attempts: number): void {
    this.#stats.succeeded++;
    if (this.events.has('succeeded')) this.events.emit('succeeded', { job, value, attempts });
  }

  failed(job: J, error: unknown, attempts: number): void {
    this.#stats.failed++;
    if (this.events.has('failed')) this.events.emit('failed', { job, error, attempts });
  }

  cancelled(job: J, reason: unknown, attempts: number): void {
    this.#stats.cancelled++;
    if (this.events.has('cancelled')) this.events.emit('cancelled', { job, reason, attempts });
  }

  idle(): void {
    if (this.events.has('idle')) this.events.emit('idle', undefined);
  }

  /** `pool.stats`, given what only the engine knows. */
  snapshot(running: number, queued: number, retrying: number): PoolStats {
    return this.#stats.snapshot(running, queued, retrying);
  }
}
