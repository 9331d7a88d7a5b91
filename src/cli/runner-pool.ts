/**
 * The pool that runs a plan's jobs: command lines (through crew's spawner processes, or
 * spawned by crew itself), or a `--module` handler, in this thread or on worker threads. The
 * run (run.ts) feeds it, records what settles and handles signals; this file only chooses and
 * builds the pool.
 */
import { availableParallelism } from 'node:os';
import { Pool, type HandlerContext, type PoolOptions, type Task } from '../index.js';
import { runCommand } from './command.js';
import { commandHandler } from './command-handler.js';
import type { JobRecord } from './job-record.js';
import type { ModuleHandler } from './module-handler.js';
import type { Plan } from './plan.js';
import type { CommandTemplate } from './placeholders.js';
import type { ProcessGroups } from './process-groups.js';
import { Spawners } from './spawners.js';
import { StoppedError } from './stopped-error.js';
import { wallClock } from './wall-clock.js';

/** What a pool of either kind offers the run: the public API shared by Pool and ThreadPool. */
export interface RunnerPool {
  submit(job: unknown): Promise<Task<unknown>>;
  close(): Promise<void>;
  abort(reason?: unknown): Promise<void>;
  readonly stats: { readonly running: number };
}

/** What the pool's handlers need from the run. */
export interface RunHooks {
  /** The process groups of the commands crew spawns itself (without spawners). */
  groups: ProcessGroups;
  /** Whether the run stopped starting jobs: a job that would start now fails instead. */
  stopping: () => boolean;
  /** A job's final outcome, as a handler in this thread sees it (for `--halt`). */
  outcome: (ok: boolean) => void;
}

export interface RunnerPoolSetup {
  pool: RunnerPool;
  /** The spawner processes commands run through, if any: the run closes them. */
  spawners: Spawners | undefined;
  /** Whether the handlers report outcomes through `hooks.outcome` (not on threads). */
  outcomesFromHandler: boolean;
}

/** Builds the pool for `plan`: its options come from the plan's flags. */
export async function createRunnerPool(plan: Plan, hooks: RunHooks): Promise<RunnerPoolSetup> {
  const { args, template, handler, modulePath } = plan;
  const options: PoolOptions = {
    concurrency: args.jobs,
    // Two waiting tasks per worker: enough that a worker never idles, and memory stays
    // bounded however long the input.
    queueSize: args.jobs * 2,
    retries: {
      retries: args.retries,
      minDelay: args.retryDelay,
      retryIf: (error) => !(error instanceof StoppedError),
    },
    ...(args.timeout === undefined ? {} : { timeout: args.timeout }),
    ...(args.rate === undefined ? {} : { rateLimit: args.rate }),
  };
  if (template !== undefined) return commandPool(plan, template, options, hooks);
  if (args.threads !== undefined) {
    const pool = await threadPool(modulePath!, args.threads, args.jobsGiven, options);
    // The handler runs on a thread, out of reach: outcomes are seen as tasks settle.
    return { pool, spawners: undefined, outcomesFromHandler: false };
  }
  const pool = modulePool(handler!, args.retries, options, hooks);
  return { pool, spawners: undefined, outcomesFromHandler: true };
}

/** A pool whose jobs run `template`'s command lines. */
async function commandPool(
  plan: Plan,
  template: CommandTemplate,
  options: PoolOptions,
  hooks: RunHooks,
): Promise<RunnerPoolSetup> {
  const { args } = plan;
  const capture = !args.ungroup;
  const { killGrace } = args;
  const { groups } = hooks;
  // Spawners (see spawner.ts): Node.js ones two per core, since one is idle while its
  // newest child execs (measured: ~1.2x on `true`); Perl ones, which fork in a fraction of
  // the time, one per core (two measured ~10% slower); Python ones PYTHON_PER_CORE.
  // Never more than the job slots.
  const cores = availableParallelism();
  const spawners = await Spawners.start(
    args.spawner,
    {
      node: Math.min(args.jobs, 2 * cores),
      perl: Math.min(args.jobs, cores),
      python: Math.min(args.jobs, cores),
    },
    { capture, killGrace },
  );
  try {
    const pool = new Pool(
      commandHandler({
        template,
        slots: args.jobs,
        launch:
          spawners === undefined
            ? (argv, signal) => runCommand(argv, { signal, capture, killGrace, groups })
            : (argv, signal) => spawners.run(argv, signal),
        stopping: hooks.stopping,
        retries: args.retries,
        outcome: hooks.outcome,
      }),
      options,
    );
    return { pool, spawners, outcomesFromHandler: true };
  } catch (error) {
    // The run never learns of spawners it was not handed: they must not outlive crew.
    await spawners?.close();
    throw error;
  }
}

/** A ThreadPool running the `--module` handler on `threads` worker threads. */
async function threadPool(
  modulePath: string,
  threads: number,
  jobsGiven: boolean,
  options: PoolOptions,
): Promise<RunnerPool> {
  // Loaded only here, so that a run of commands never pays for the thread machinery.
  const { ThreadPool } = await import('../threads/index.js');
  const { concurrency, ...rest } = options;
  return new ThreadPool(modulePath, {
    ...rest,
    threads,
    // Without -j, the ThreadPool keeps each thread as busy as it can.
    ...(jobsGiven ? { concurrency } : {}),
  });
}

/** A Pool running the `--module` handler in this thread. */
function modulePool(
  run: ModuleHandler,
  retries: number,
  options: PoolOptions,
  hooks: RunHooks,
): RunnerPool {
  return new Pool(async (job: JobRecord, ctx: HandlerContext) => {
    if (hooks.stopping()) throw new StoppedError();
    if (job.start === 0) job.start = wallClock();
    job.attempts = ctx.attempt;
    let value: unknown;
    try {
      value = await run(job.payload, ctx);
    } catch (error) {
      if (ctx.attempt > retries) hooks.outcome(false);
      throw error;
    }
    // A handler that ignored its signal and returned after a timeout still failed.
    const ok = !ctx.signal.aborted;
    if (ok || ctx.attempt > retries) hooks.outcome(ok);
    return value;
  }, options);
}
