import type { HandlerContext } from '../index.js';
import { CommandFailedError } from './command-failed-error.js';
import { unlaunchable, type CommandOutcome } from './command.js';
import type { JobRecord } from './job-record.js';
import type { CommandTemplate } from './placeholders.js';
import { StoppedError } from './stopped-error.js';
import { wallClock } from './wall-clock.js';

export interface CommandHandlerOptions {
  template: CommandTemplate;
  /** Slots `{%}` hands out: 1 to this many. */
  slots: number;
  /**
   * Runs one command (`runCommand` in this process, or a spawner); never rejects, and
   * resolves only once the command is gone, also when `signal` stopped it.
   */
  launch: (argv: readonly string[], signal: AbortSignal) => Promise<CommandOutcome>;
  /** Checked as each attempt starts: once true, no new command is spawned. */
  stopping: () => boolean;
  /** The retries each job gets, so that the handler knows which attempt is the last. */
  retries: number;
  /**
   * Told a job's final outcome synchronously, as its last attempt ends and before the pool
   * can start another job, so that `--halt` never lets one more job start.
   */
  outcome: (ok: boolean) => void;
}

/**
 * The Pool handler that runs a job as a command. Each attempt fills the template, launches the
 * command (no shell, its own process group, stopped with its group when `ctx.signal` aborts),
 * and records its outcome on the job. A zero exit resolves; anything else throws
 * `CommandFailedError`, so the Pool's retries apply.
 *
 * The record keeps the latest attempt's outcome; `job.current` is that attempt's promise, so
 * that whoever sees the task settle early (a timeout settles it at once) can wait until the
 * command is really gone and its output complete.
 */
export function commandHandler(
  options: CommandHandlerOptions,
): (job: JobRecord, ctx: HandlerContext) => Promise<CommandOutcome> {
  const { template, launch, stopping } = options;
  // The free slots, lowest on top, so `{%}` reuses low numbers first as GNU parallel does.
  const free: number[] = [];
  for (let slot = options.slots; slot >= 1; slot--) free.push(slot);

  return async (job, ctx) => {
    if (stopping()) throw new StoppedError();
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const slot = free.pop() ?? options.slots + 1;
    if (job.start === 0) job.start = wallClock();
    const argv = template.fill({ input: job.input, seq: job.seq, slot });
    // Checked here, before either launcher (in-process or a spawner, whose protocol is NUL-joined).
    const refused = unlaunchable(argv);
    const attempt = refused === undefined ? launch(argv, ctx.signal) : Promise.resolve(refused);
    job.current = attempt;
    const outcome = await attempt;
    free.push(slot);
    if (ctx.attempt >= job.attempts) {
      job.attempts = ctx.attempt;
      job.exitCode = outcome.exitCode;
      job.signal = outcome.signal;
      job.stdout = outcome.stdout;
      job.stderr = outcome.stderr;
    }
    const ok = !ctx.signal.aborted && outcome.exitCode === 0;
    if (ok || ctx.attempt > options.retries) options.outcome(ok);
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (!ok) throw new CommandFailedError(outcome.exitCode, outcome.signal);
    return outcome;
  };
}
