import { existsSync } from 'node:fs';
import type { RunArgs } from './args.js';
import { checkExecutable } from './executable.js';
import { quoteArgv } from './format.js';
import { Inputs } from './input.js';
import { Joblog } from './joblog.js';
import { loadModuleHandler, locateModule, type ModuleHandler } from './module-handler.js';
import { CommandTemplate } from './placeholders.js';
import { Results } from './results.js';
import { UsageError } from './usage-error.js';

/** Everything a run needs, prepared and checked before any job starts (bad usage throws here). */
export interface Plan {
  args: RunArgs;
  template: CommandTemplate | undefined;
  handler: ModuleHandler | undefined;
  modulePath: string | undefined;
  inputs: Inputs;
  done: Set<string>;
  joblog: Joblog | undefined;
  results: Results | undefined;
}

/**
 * Checks and opens everything a run needs: the command (on `PATH`) or the module (loaded, with
 * a default export), the input, the job log and the results file. Throws `UsageError`.
 */
export async function prepare(args: RunArgs): Promise<Plan> {
  let template: CommandTemplate | undefined;
  let handler: ModuleHandler | undefined;
  let modulePath: string | undefined;
  if (args.command !== undefined) {
    template = new CommandTemplate(args.command);
    if (!/\{[^}]*\}/.test(args.command[0]!) && !args.dryRun) checkExecutable(args.command[0]!);
  } else {
    modulePath = locateModule(args.module!);
    // Loaded here even for --threads: a missing default export is bad usage, reported now.
    handler = await loadModuleHandler(args.module!);
  }
  if (args.input !== undefined && !existsSync(args.input)) {
    throw new UsageError(`Cannot find the input file ${args.input} (--input)`);
  }
  const separator = args.nul ? '\0' : '\n';
  const inputs =
    args.inputs !== undefined
      ? Inputs.of(args.inputs)
      : Inputs.read(args.input ?? process.stdin, separator);
  const done = args.resume ? Joblog.succeeded(args.joblog!) : new Set<string>();
  const joblog =
    args.joblog === undefined || args.dryRun ? undefined : new Joblog(args.joblog, args.resume);
  const results =
    args.results === undefined || args.dryRun ? undefined : new Results(args.results, args.resume);
  return { args, template, handler, modulePath, inputs, done, joblog, results };
}

/** `--dry-run`: prints each job's command line, quoted for a shell, and runs nothing. */
export async function dryRun(plan: Plan): Promise<number> {
  let seq = 0;
  for await (const input of plan.inputs) {
    seq++;
    const line = plan.template
      ? quoteArgv(plan.template.fill({ input, seq, slot: 1 }))
      : `${plan.args.module} ${JSON.stringify(input)}`;
    process.stdout.write(`${line}\n`);
  }
  return 0;
}
