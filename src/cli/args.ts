import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { parseDuration } from './duration.js';
import { parseHalt, type HaltPolicy } from './halt.js';
import { parseRate, type Rate } from './rate.js';
import type { SpawnerKind } from './spawners.js';
import { UsageError } from './usage-error.js';

/** Everything `crew run` was asked to do, checked. */
export interface RunArgs {
  /** The command template (argv), or `undefined` with `module`. */
  command: string[] | undefined;
  /** The module whose default export handles each job. */
  module: string | undefined;
  /** Inputs given after `:::`, or `undefined` to read `input` or stdin. */
  inputs: string[] | undefined;
  /** A file to read inputs from; `undefined` reads stdin. */
  input: string | undefined;
  json: boolean;
  nul: boolean;
  jobs: number;
  /** Whether `--jobs` was given (else `jobs` is the default, the number of cores). */
  jobsGiven: boolean;
  /** Run the module on this many worker threads; `undefined` runs it in-process. */
  threads: number | undefined;
  retries: number;
  /** Milliseconds before the first retry; each later one waits about twice as long (with jitter). */
  retryDelay: number;
  /** Milliseconds per attempt. */
  timeout: number | undefined;
  /** Milliseconds between SIGTERM and SIGKILL when a command is stopped. */
  killGrace: number;
  rate: Rate | undefined;
  keepOrder: boolean;
  halt: HaltPolicy | undefined;
  results: string | undefined;
  joblog: string | undefined;
  resume: boolean;
  /** `true`: draw the progress line even when stderr is not a terminal; `false`: never. */
  progress: boolean | undefined;
  quiet: boolean;
  ungroup: boolean;
  dryRun: boolean;
  /** What starts the commands, from the environment's `CREW_SPAWNER`. */
  spawner: SpawnerKind;
}

export const HELP = `Usage: crew <command> [options]

Commands:
  run       run one job per input, as a command or a module handler, on a pool
  help      show help (\`crew help run\`)

Options:
  -h, --help     show this help
  -v, --version  print crew's version

Run \`crew run --help\` for the batch runner's options.
`;

export const RUN_HELP = `Usage:
  crew run [options] [--] command [args...] [::: input...]
  crew run [options] --module FILE [::: input...]

Runs one job per input: each line of stdin (default), of --input FILE, or each argument after
:::. A command runs without a shell; each placeholder is replaced inside its own argument, and
when there is none the input is appended as the last argument:
  {}    the input                    {/}   its basename      {//}  its dirname
  {.}   the input without extension  {/.}  basename without extension
  {#}   the job's number, from 1     {%}   the job slot, from 1 to --jobs
An input such as \`x; rm -rf ~\` or \`$(id)\` is only ever one argument; for pipes or
redirection run a shell yourself: crew run -- sh -c 'gzip < "$1" > "$1.gz"' sh {}

Inputs:
  -a, --input FILE      read inputs from FILE instead of stdin
  -0, --null            inputs are separated by NUL bytes, not newlines (find -print0)
      --json            parse each input as JSON before handing it to --module
  (Empty inputs are skipped; a line's trailing \\r is dropped.)
Handlers:
      --module FILE     the default export of FILE handles each job: (job, { signal, attempt })
                        => value; the value is printed (strings as they are, else as JSON).
                        .ts modules need tsx installed or Node.js >= 22.6
      --threads N       run --module on a ThreadPool of N worker threads (default: in-process);
                        without -j, each thread is kept as busy as the ThreadPool sees fit
Pool:
  -j, --jobs N          jobs running at once (default: ${availableParallelism()}, the number of cores)
      --retries N       run a failed job up to N more times (default: 0)
      --retry-delay DUR
                        wait DUR before the first retry, then about twice as long before each
                        next one, with jitter (default: 0, retry at once)
      --timeout DUR     end an attempt after DUR (500ms, 30s, 2m, 1h; a bare number is seconds);
                        a command's whole process group gets SIGTERM, then SIGKILL after --kill-grace
      --kill-grace DUR  time between SIGTERM and SIGKILL (default: 1s)
      --rate RATE       start at most RATE jobs (10/s, 100/m, 5000/h, 3/500ms)
      --halt WHEN       never (default), now,fail=N, soon,fail=N, now,success=N, soon,success=N:
                        stop starting jobs after N failed (or succeeded) jobs; now also kills the
                        running ones, soon lets them finish
Output:
  -k, --keep-order      print output in input order (default: in the order jobs finish)
  -u, --ungroup         let jobs write straight to stdout and stderr (faster; may interleave)
      --results FILE    write one JSON line per job to FILE: seq, input, ok, exitCode or value,
                        error, attempts, start, duration, stdout, stderr
      --joblog FILE     record every finished job in FILE (JSON lines)
      --resume          with --joblog: skip inputs that already succeeded (same position, same
                        input) and append to the log
      --progress        show the progress line even when stderr is not a terminal
  -q, --quiet           no progress line and no summary
      --dry-run         print each job's command line instead of running it
  -h, --help            show this help

Environment:
  CREW_SPAWNER=python|perl|node|auto
                        what starts the commands: a small python3 (fastest: posix_spawn), perl
                        (on every Debian, Ubuntu and macOS system) or Node.js process; auto
                        (default) uses the first of these that is on PATH and works

Exit status: the number of failed jobs (at most 101); 0 when all succeeded; 2 for bad usage;
130 (SIGINT) or 143 (SIGTERM) when interrupted. A run stopped by --halt exits with the number
of failed jobs, so at least 1 after fail=N and 0 after success=N when nothing failed.
Signals: the first Ctrl-C (SIGINT or SIGTERM) stops starting jobs and waits for the running
ones; the second kills them (their whole process groups); SIGHUP kills them at once (129).
`;

const OPTIONS = {
  input: { type: 'string', short: 'a' },
  null: { type: 'boolean', short: '0' },
  json: { type: 'boolean' },
  module: { type: 'string' },
  threads: { type: 'string' },
  jobs: { type: 'string', short: 'j' },
  retries: { type: 'string' },
  'retry-delay': { type: 'string' },
  timeout: { type: 'string' },
  'kill-grace': { type: 'string' },
  rate: { type: 'string' },
  halt: { type: 'string' },
  'keep-order': { type: 'boolean', short: 'k' },
  ungroup: { type: 'boolean', short: 'u' },
  results: { type: 'string' },
  joblog: { type: 'string' },
  resume: { type: 'boolean' },
  progress: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function takesValue(token: string): boolean {
  if (token.startsWith('--')) {
    if (token.includes('=')) return false;
    const option = OPTIONS[token.slice(2) as keyof typeof OPTIONS] as { type: string } | undefined;
    return option?.type === 'string';
  }
  // A short option: `-j8` carries its value, `-j 8` takes the next token.
  if (token.length !== 2) return false;
  return Object.values(OPTIONS).some(
    (option) => 'short' in option && option.short === token[1] && option.type === 'string',
  );
}

/**
 * Splits `crew run`'s arguments into options, the command and the `:::` inputs. Options come
 * first; the first argument that is not an option (or everything after `--`) starts the
 * command, so the command's own flags (`gzip -k`) are never taken for crew's.
 */
function split(argv: readonly string[]): {
  options: string[];
  command: string[];
  inputs?: string[];
} {
  const options: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      i++;
      break;
    }
    if (token === ':::' || !token.startsWith('-') || token === '-') break;
    options.push(token);
    if (takesValue(token) && i + 1 < argv.length) options.push(argv[++i]!);
  }
  const rest = argv.slice(i);
  const marker = rest.indexOf(':::');
  if (marker < 0) return { options, command: rest };
  const inputs = rest.slice(marker + 1);
  if (inputs.includes(':::')) {
    throw new UsageError('Only one `:::` list of inputs is supported');
  }
  return { options, command: rest.slice(0, marker), inputs };
}

function integer(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`Expected \`${flag}\` to be an integer ≥ ${min}, got \`${text}\``);
  }
  return value;
}

/** `crew run`'s arguments (after `run`), checked; `'help'` when help was asked for. Throws `UsageError`. */
const SPAWNERS: readonly SpawnerKind[] = ['auto', 'python', 'perl', 'node'];

function parseSpawner(value: string | undefined): SpawnerKind {
  if (value === undefined || value === '') return 'auto';
  const kind = SPAWNERS.find((name) => name === value);
  if (kind === undefined) {
    throw new UsageError(
      `CREW_SPAWNER must be one of ${SPAWNERS.join(', ')}; got ${JSON.stringify(value)}`,
    );
  }
  return kind;
}

export function parseRunArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): RunArgs | 'help' {
  const { options, command, inputs } = split(argv);
  let values;
  try {
    ({ values } = parseArgs({
      args: options,
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const module = values.module;
  checkCombination(values, command, inputs);
  return {
    command: module === undefined ? command : undefined,
    module,
    inputs,
    input: values.input,
    json: values.json ?? false,
    nul: values.null ?? false,
    jobs: integer('--jobs', values.jobs, 1) ?? availableParallelism(),
    jobsGiven: values.jobs !== undefined,
    threads: integer('--threads', values.threads, 1),
    retries: integer('--retries', values.retries, 0) ?? 0,
    retryDelay:
      values['retry-delay'] === undefined
        ? 0
        : parseDuration('--retry-delay', values['retry-delay']),
    timeout: values.timeout === undefined ? undefined : parseDuration('--timeout', values.timeout),
    killGrace:
      values['kill-grace'] === undefined
        ? 1000
        : parseDuration('--kill-grace', values['kill-grace']),
    rate: values.rate === undefined ? undefined : parseRate('--rate', values.rate),
    keepOrder: values['keep-order'] ?? false,
    halt: values.halt === undefined ? undefined : parseHalt('--halt', values.halt),
    results: values.results,
    joblog: values.joblog,
    resume: values.resume ?? false,
    progress: values.quiet ? false : values.progress,
    quiet: values.quiet ?? false,
    ungroup: values.ungroup ?? false,
    dryRun: values['dry-run'] ?? false,
    spawner: parseSpawner(env.CREW_SPAWNER),
  };
}

/** Flags that do not go together, or one that needs another: a usage error before any job. */
function checkCombination(
  values: {
    module?: string;
    threads?: string;
    json?: boolean;
    input?: string;
    resume?: boolean;
    joblog?: string;
  },
  command: readonly string[],
  inputs: readonly string[] | undefined,
): void {
  const module = values.module;
  if (module !== undefined && command.length > 0) {
    throw new UsageError(`Give either a command or --module, not both (command: ${command[0]})`);
  }
  if (module === undefined && command.length === 0) {
    throw new UsageError(
      'Nothing to run: give a command (crew run -- gzip -k {}) or --module FILE',
    );
  }
  if (values.threads !== undefined && module === undefined) {
    throw new UsageError('--threads runs a --module on worker threads; give --module FILE');
  }
  if (values.json && module === undefined) {
    throw new UsageError('--json parses inputs for a --module handler; give --module FILE');
  }
  if (inputs !== undefined && values.input !== undefined) {
    throw new UsageError('Give inputs either after ::: or with --input, not both');
  }
  if (values.resume && values.joblog === undefined) {
    throw new UsageError('--resume needs --joblog FILE (the log of the run to resume)');
  }
}
