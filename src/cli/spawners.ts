/**
 * crew's side of its spawner processes (python-spawner.ts, perl-spawner.ts or spawner.ts): it
 * starts them, hands each command to the one with the fewest running, and turns the answers
 * back into `CommandOutcome`s.
 *
 * A spawner that dies (killed from outside) fails its running commands with exit code 127 and
 * a line on stderr, and is replaced when the next command comes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { CommandOutcome } from './command.js';
import { findExecutable } from './executable.js';
import { PERL_SPAWNER } from './perl-spawner.js';
import { PYTHON_SPAWNER } from './python-spawner.js';
import {
  FrameReader,
  KILL_ALL,
  RUN,
  STOP,
  decodeDone,
  encodeRequest,
  encodeArgv,
  type SpawnerConfig,
} from './spawner-protocol.js';
import { UsageError } from './usage-error.js';

/**
 * What starts the commands (`CREW_SPAWNER`): `python` (python-spawner.ts: posix_spawn, the
 * fastest), `perl` (perl-spawner.ts), `node` (spawner.ts), or `auto`: the first of these that
 * is on PATH and works.
 */
export type SpawnerKind = 'auto' | 'python' | 'perl' | 'node';

/** How many spawners to start, by kind. */
export interface SpawnerCounts {
  python: number;
  perl: number;
  node: number;
}

interface Waiting {
  resolve: (outcome: CommandOutcome) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

interface Spawner {
  process: ChildProcess;
  socket: Socket;
  waiting: Map<number, Waiting>;
  /** Resolves to `true` once the spawner has started, or to `false` if it ended before. */
  ready: Promise<boolean>;
}

const EMPTY = Buffer.alloc(0);

/**
 * The spawner's own file: next to this code with the same extension (`.js`, `.cjs`, a
 * bundle's `.mjs`, or `.ts` under tsx), or undefined when this code was bundled without it.
 */
function locate(): string | undefined {
  const here = import.meta.url;
  const extension = /\.[cm]?[jt]s$/.exec(new URL(here).pathname)?.[0] ?? '.js';
  for (const candidate of [`./spawner${extension}`, `./cli/spawner${extension}`]) {
    const path = fileURLToPath(new URL(candidate, here));
    if (existsSync(path)) return path;
  }
  return undefined;
}

/**
 * A scripted spawner's own environment: crew's, less every variable whose name starts with
 * `variables` (PERL5OPT, PERL_UNICODE, PYTHONPATH and the like change how the interpreter
 * itself runs: a debugger, UTF-8 layers on binary files, other modules), plus `extra`.
 * `restore` lists the removed ones as `NAME=value`: the spawner puts them back before it
 * starts any command, so the commands get crew's environment.
 */
function scrubbedEnvironment(
  variables: string,
  extra: Record<string, string>,
): { env: NodeJS.ProcessEnv; restore: string[] } {
  const env: NodeJS.ProcessEnv = { ...extra };
  const restore: string[] = [];
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (name.startsWith(variables)) restore.push(`${name}=${value}`);
    else env[name] = value;
  }
  return { env, restore };
}

/** A spawner written in a scripting language: how to find and start its interpreter. */
interface ScriptedSpawner {
  kind: 'python' | 'perl';
  program: string;
  /** The interpreter on PATH, or undefined. */
  find: () => string | undefined;
  flags: string[];
  source: string;
  /** The prefix of the variables that change how the interpreter runs (kept from it). */
  variables: string;
  /** Set for the interpreter only. */
  env: Record<string, string>;
  /** What a working interpreter has, for the error when it does not. */
  needs: string;
}

/** The scripted spawners, in the order `auto` tries them (fastest first). */
const SCRIPTED: readonly ScriptedSpawner[] = [
  {
    kind: 'python',
    program: 'python3',
    // Version managers put a shell-script shim first on PATH, which costs 0.4 s a start.
    find: () => findExecutable('python3', { binary: true }),
    flags: ['-S', '-c'],
    source: PYTHON_SPAWNER,
    variables: 'PYTHON',
    // In the C locale, Python would add LC_CTYPE=C.UTF-8 to the commands' environment.
    env: { PYTHONCOERCECLOCALE: '0' },
    needs: 'Python 3.8 or later, with os.posix_spawnp',
  },
  {
    kind: 'perl',
    program: 'perl',
    find: () => findExecutable('perl'),
    flags: ['-e'],
    source: PERL_SPAWNER,
    variables: 'PERL',
    // No warnings about a locale the system lacks (common in containers).
    env: { PERL_BADLANG: '0' },
    needs: 'the modules POSIX, Fcntl, Errno and Config',
  },
];

/** Node flags that load a module before the entry (tsx, under the source), passed on. */
function loaderFlags(): string[] {
  const flags: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (/^--(import|require|loader|experimental-loader)$/.test(flag)) flags.push(flag, argv[++i]!);
    else if (/^--(import|require|loader|experimental-loader)=/.test(flag)) flags.push(flag);
  }
  return flags;
}

export class Spawners {
  /** The command that starts one spawner, then its arguments. */
  readonly #command: readonly string[];
  /** The spawners' environment (the commands get crew's own: see the Perl spawner's). */
  readonly #env: NodeJS.ProcessEnv;
  readonly #count: number;
  readonly #spawners: Spawner[] = [];
  #nextId = 1;

  /**
   * Starts the spawners of `kind`, as many as `counts` gives for it, and resolves once they are
   * ready: a job's `--timeout` then measures the job, not a spawner's start-up. `auto` tries
   * Python, then Perl, then Node.js spawners: an interpreter that is not on PATH, or cannot run
   * its spawner (too old, or missing a module: the spawner then exits at once, silently), is
   * passed over. Resolves to undefined when crew should start its commands itself: Node.js
   * spawners are needed and their file cannot be found (crew's CLI bundled on its own).
   * Rejects with `UsageError` for `python` or `perl` when that interpreter is not on PATH or
   * cannot run its spawner.
   */
  static async start(
    kind: SpawnerKind,
    counts: SpawnerCounts,
    config: SpawnerConfig,
  ): Promise<Spawners | undefined> {
    const args = [String(config.capture ? 1 : 0), String(config.killGrace), tmpdir()];
    for (const script of kind === 'auto' ? SCRIPTED : SCRIPTED.filter((s) => s.kind === kind)) {
      const program = script.find();
      if (program === undefined) {
        if (kind === 'auto') continue;
        throw new UsageError(`CREW_SPAWNER=${kind}, but there is no ${script.program} on PATH`);
      }
      const { env, restore } = scrubbedEnvironment(script.variables, script.env);
      const spawners = new Spawners(
        [program, ...script.flags, script.source, ...args, ...restore],
        counts[script.kind],
        env,
      );
      if (await spawners.#ready()) return spawners;
      await spawners.close();
      if (kind !== 'auto') {
        throw new UsageError(
          `CREW_SPAWNER=${kind}, but ${program} cannot run crew's spawner (it needs ${script.needs})`,
        );
      }
    }
    const entry = locate();
    if (entry === undefined) return undefined;
    const spawners = new Spawners(
      [process.execPath, ...loaderFlags(), entry, JSON.stringify(config)],
      counts.node,
      process.env,
    );
    await spawners.#ready();
    return spawners;
  }

  private constructor(command: readonly string[], count: number, env: NodeJS.ProcessEnv) {
    this.#command = command;
    this.#env = env;
    this.#count = count;
    for (let i = 0; i < count; i++) this.#spawners.push(this.#start());
  }

  /**
   * Runs `argv` in a spawner; resolves as `runCommand` does (never rejects). Aborting `signal`
   * stops the command's whole group, and the promise still resolves only once it is gone.
   */
  run(argv: readonly string[], signal: AbortSignal): Promise<CommandOutcome> {
    const spawner = this.#pick();
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const onAbort = (): void => void spawner.socket.write(encodeRequest(STOP, id));
      spawner.waiting.set(id, { resolve, signal, onAbort });
      spawner.socket.write(encodeRequest(RUN, id, encodeArgv(argv)));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Whether every spawner has started (each settles once it has, or has ended). */
  async #ready(): Promise<boolean> {
    const started = await Promise.all(this.#spawners.map((spawner) => spawner.ready));
    return started.every(Boolean);
  }

  /** SIGKILLs every running command's group, in every spawner. */
  killAll(): void {
    for (const spawner of this.#spawners) spawner.socket.write(encodeRequest(KILL_ALL, 0));
  }

  /** Ends every spawner (each kills what is still running) and resolves once they have exited. */
  async close(): Promise<void> {
    const spawners = this.#spawners.splice(0);
    await Promise.all(
      spawners.map(
        (spawner) =>
          new Promise<void>((resolve) => {
            if (spawner.process.exitCode !== null || spawner.process.signalCode !== null) {
              return resolve();
            }
            spawner.process.once('close', () => resolve());
            spawner.socket.end();
          }),
      ),
    );
  }

  #pick(): Spawner {
    while (this.#spawners.length < this.#count) this.#spawners.push(this.#start());
    let best = this.#spawners[0]!;
    for (const spawner of this.#spawners) {
      if (spawner.waiting.size < best.waiting.size) best = spawner;
    }
    return best;
  }

  #start(): Spawner {
    const child = spawn(this.#command[0]!, this.#command.slice(1), {
      env: this.#env,
      // Its own session, so that a terminal's signals reach crew alone, and a signal to crew's
      // process group leaves the spawner alive to clean up.
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
    });
    const socket = child.stdio[3] as Socket;
    let started!: (ok: boolean) => void;
    const ready = new Promise<boolean>((resolve) => (started = resolve));
    const spawner: Spawner = { process: child, socket, waiting: new Map(), ready };
    const reader = new FrameReader((body) => {
      const { id, outcome } = decodeDone(body);
      if (id === 0) return started(true);
      const waiting = spawner.waiting.get(id);
      if (waiting === undefined) return;
      spawner.waiting.delete(id);
      waiting.signal.removeEventListener('abort', waiting.onAbort);
      waiting.resolve(outcome);
    });
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('error', () => {
      // The spawner is gone; 'exit' fails what it was running.
    });
    // 'close', not 'exit': every answer the spawner sent before it ended has been read.
    child.on('close', (code, signal) => {
      started(false);
      const index = this.#spawners.indexOf(spawner);
      if (index !== -1) this.#spawners.splice(index, 1);
      const reason = Buffer.from(
        `crew: the spawner process ended (${signal ?? `exit code ${code}`}) while the job ran\n`,
      );
      for (const waiting of spawner.waiting.values()) {
        waiting.signal.removeEventListener('abort', waiting.onAbort);
        waiting.resolve({ exitCode: 127, signal: null, stdout: EMPTY, stderr: reason });
      }
      spawner.waiting.clear();
    });
    return spawner;
  }
}
