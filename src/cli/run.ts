import type { Task } from '../index.js';
import type { RunArgs } from './args.js';
import { formatValue } from './format.js';
import { JobRecord } from './job-record.js';
import { Joblog } from './joblog.js';
import { Output } from './output.js';
import { dryRun, prepare, type Plan } from './plan.js';
import { ProcessGroups } from './process-groups.js';
import { Progress } from './progress.js';
import { describeError } from './results.js';
import { createRunnerPool, type RunnerPool } from './runner-pool.js';
import type { Spawners } from './spawners.js';
import { InterruptedError, StoppedError } from './stopped-error.js';
import { wallClock } from './wall-clock.js';

/** The exit status of a run: the number of failed jobs, at most 101. */
export const MAX_FAILED_STATUS = 101;
const SIGNAL_STATUS: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/**
 * Runs `crew run`: prepares everything (throwing `UsageError` before any job starts), then
 * feeds every input to a Pool (or a ThreadPool), records and prints each job as it settles,
 * and resolves with the exit status.
 */
export async function run(args: RunArgs): Promise<number> {
  const plan = await prepare(args);
  if (args.dryRun) return dryRun(plan);
  return new Runner(plan).start();
}

/** One run: the counters, the pool, the signals. Lives as long as `start()`. */
class Runner {
  readonly #plan: Plan;
  /** The groups of the commands crew runs itself (when it has no spawners). */
  readonly #groups = new ProcessGroups();
  /** Where commands run, when crew has its spawner processes. */
  #spawners: Spawners | undefined;
  readonly #pending = new Set<{ job: JobRecord; task: Task<unknown> }>();
  readonly #settling = new Set<Promise<void>>();
  readonly #started = wallClock();
  readonly #progress: Progress | undefined;
  readonly #output: Output;
  #pool: RunnerPool | undefined;
  #succeeded = 0;
  #failed = 0;
  #skipped = 0;
  /** Set once the run stops starting jobs: why. */
  #stop: 'signal' | 'halt' | undefined;
  /** Final outcomes as `--halt` counts them; see `#outcome`. */
  #haltCounts = { fail: 0, success: 0 };
  /** Whether the handler reports outcomes itself (in-process), or `#record` must (threads). */
  #outcomesFromHandler = true;
  #signal: NodeJS.Signals | undefined;
  #killed = false;

  constructor(plan: Plan) {
    this.#plan = plan;
    const { args } = plan;
    const showProgress = args.progress ?? (!args.quiet && process.stderr.isTTY === true);
    this.#progress = showProgress
      ? new Progress(process.stderr, () => ({
          done: this.#succeeded + this.#failed,
          failed: this.#failed,
          skipped: this.#skipped,
          running: this.#pool?.stats.running ?? 0,
          total: plan.inputs.total,
          elapsed: wallClock() - this.#started,
        }))
      : undefined;
    this.#output = new Output(args.keepOrder, this.#progress);
  }

  async start(): Promise<number> {
    const onSignal = (signal: NodeJS.Signals): void => this.#onSignal(signal);
    // Whatever way crew exits (even on its own crash), no job's process group stays behind.
    // The listener stays for the life of the process: `run()` runs once per process.
    process.on('exit', () => this.#groups.killAll('SIGKILL'));
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
    try {
      const runner = await createRunnerPool(this.#plan, {
        groups: this.#groups,
        stopping: () => this.#stop !== undefined,
        outcome: (ok) => this.#outcome(ok),
      });
      this.#spawners = runner.spawners;
      this.#outcomesFromHandler = runner.outcomesFromHandler;
      this.#pool = runner.pool;
      await this.#feed(this.#pool);
      while (this.#settling.size > 0) await Promise.all(this.#settling);
      if (this.#killed) await this.#pool.abort(new InterruptedError());
      else await this.#pool.close();
    } finally {
      // Every command has ended by now, unless crew itself failed: the spawners kill what is left.
      await this.#spawners?.close();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
      this.#output.flush();
      this.#progress?.stop();
      this.#plan.joblog?.close();
      this.#plan.results?.close();
    }
    this.#summary();
    if (this.#signal !== undefined) return SIGNAL_STATUS[this.#signal] ?? 130;
    return Math.min(this.#failed, MAX_FAILED_STATUS);
  }

  async #feed(pool: RunnerPool): Promise<void> {
    const { inputs, done, args } = this.#plan;
    let seq = 0;
    for await (const input of inputs) {
      if (this.#stop !== undefined) break;
      seq++;
      if (done.has(Joblog.key(seq, input))) {
        this.#skipped++;
        this.#output.skip(seq);
        continue;
      }
      const job = new JobRecord(seq, input);
      if (args.json) {
        try {
          job.payload = JSON.parse(input);
        } catch (error) {
          job.end = wallClock();
          this.#record(job, error, undefined);
          continue;
        }
      }
      let task: Task<unknown>;
      try {
        // A ThreadPool gets the job itself (it crosses to a thread); the in-process pools get the record.
        task = await pool.submit(args.threads === undefined ? job : job.payload);
      } catch (error) {
        if (this.#stop !== undefined) break;
        throw error;
      }
      // On threads the start of the first attempt is not seen here; the hand-over is close to it.
      if (args.threads !== undefined) job.start = wallClock();
      const entry = { job, task };
      this.#pending.add(entry);
      if (this.#stop !== undefined && task.attempts === 0) task.cancel(new StoppedError());
      const settling = task.result.then(
        (value) => this.#settle(entry, undefined, value),
        (error: unknown) => this.#settle(entry, error ?? new Error('undefined'), undefined),
      );
      this.#settling.add(settling);
      void settling.finally(() => this.#settling.delete(settling));
    }
  }

  async #settle(
    entry: { job: JobRecord; task: Task<unknown> },
    error: unknown,
    value: unknown,
  ): Promise<void> {
    this.#pending.delete(entry);
    const { job, task } = entry;
    // A timed-out or killed command settles at once; wait until it is gone and its output complete.
    if (job.current !== undefined) await job.current;
    // In-process handlers count their real attempts on the record (an attempt refused because
    // the run is stopping is not one); on threads only the task knows.
    if (!this.#outcomesFromHandler) job.attempts = task.attempts;
    if (job.attempts === 0) {
      // Never started: cancelled as the run stopped. Not recorded, so --resume runs it.
      this.#output.skip(job.seq);
      return;
    }
    job.end = wallClock();
    this.#record(job, error, value);
  }

  /** Counts, logs, writes and prints one finished job, then applies `--halt`. */
  #record(job: JobRecord, error: unknown, value: unknown): void {
    const ok = error === undefined;
    if (ok) this.#succeeded++;
    else this.#failed++;
    const { joblog, results, template } = this.#plan;
    joblog?.record(job, ok);
    if (template !== undefined) {
      results?.command(job, error);
      let stderr: Buffer | string | undefined = job.stderr;
      if (!ok && (error as { code?: unknown }).code === 'CREW_TASK_TIMEOUT') {
        stderr = `${stderr?.toString() ?? ''}crew: job ${job.seq} (${job.input}) timed out; its process group was stopped\n`;
      }
      this.#output.print(job.seq, job.stdout, stderr);
    } else {
      results?.module(job, ok, ok ? value : error);
      if (ok) this.#output.print(job.seq, formatValue(value), undefined);
      else {
        const { name, message } = describeError(error);
        this.#output.print(
          job.seq,
          undefined,
          `crew: job ${job.seq} (${job.input}) failed: ${name}: ${message}\n`,
        );
      }
    }
    if (!this.#outcomesFromHandler || (job.attempts === 0 && !ok)) this.#outcome(ok);
  }

  /**
   * A job's final outcome, for `--halt`. In-process handlers report it synchronously as their
   * last attempt ends, before the pool can start another job, so a halt never lets one more
   * job start; on threads it comes as the task settles, and a job may slip through.
   */
  #outcome(ok: boolean): void {
    const halt = this.#plan.args.halt;
    if (halt === undefined || this.#stop !== undefined) return;
    const count = ok ? ++this.#haltCounts.success : ++this.#haltCounts.fail;
    if ((halt.on === 'fail') !== ok && count >= halt.count) this.#halt(halt.when === 'now');
  }

  /** Stops starting jobs; with `kill`, also stops the running ones. */
  #halt(kill: boolean): void {
    this.#stop ??= 'halt';
    this.#plan.inputs.close();
    for (const { task } of this.#pending) {
      if (task.attempts === 0) task.cancel(new StoppedError());
    }
    if (kill && !this.#killed) {
      this.#killed = true;
      void this.#pool?.abort(new InterruptedError());
    }
  }

  #onSignal(signal: NodeJS.Signals): void {
    if (this.#stop === 'signal' && this.#killed) {
      // A third signal: no more grace.
      this.#groups.killAll('SIGKILL');
      this.#spawners?.killAll();
      return;
    }
    // A hang-up means the terminal is gone: nobody is left to wait for, so stop everything now.
    const second = this.#stop === 'signal' || signal === 'SIGHUP';
    this.#signal ??= signal;
    this.#stop = 'signal';
    if (!this.#plan.args.quiet) {
      this.#progress?.clear();
      process.stderr.write(
        second
          ? 'crew: stopping the running jobs\n'
          : 'crew: no new jobs will start; waiting for the running ones (again to kill them)\n',
      );
    }
    this.#halt(second);
  }

  #summary(): void {
    if (this.#plan.args.quiet) return;
    const finished = this.#succeeded + this.#failed;
    const parts: string[] = [];
    if (this.#stop === 'signal') parts.push(`interrupted by ${this.#signal}`);
    if (this.#stop === 'halt') parts.push('halted (--halt)');
    if (this.#failed > 0) parts.push(`${this.#failed} of ${finished} jobs failed`);
    if (this.#skipped > 0) parts.push(`${this.#skipped} skipped (already done)`);
    if (parts.length > 0) process.stderr.write(`crew: ${parts.join('; ')}\n`);
  }
}
