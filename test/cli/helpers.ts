// Spawning the `crew` command for end-to-end tests, and waiting for files without sleeping.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli } from '../../scripts/bundle.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
// By URL, so that a test may run crew in any folder.
const tsx = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

export interface Finished {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface StartOptions {
  cwd?: string;
  stdin?: string | Buffer;
  /**
   * Run the source through tsx instead of the bundle: needed where crew must find files next
   * to its own modules (a ThreadPool's thread entry).
   */
  tsx?: boolean;
  /** Variables to set in crew's environment (on top of this process's). */
  env?: Readonly<Record<string, string>>;
}

let bundle: string | undefined;

/**
 * The CLI (and its spawner) bundled from the current source into a temp folder, once per test process: the tests
 * never depend on a stale `dist/`, and each run of crew starts in a third of the time tsx takes.
 */
export function bundled(): string {
  if (bundle !== undefined) return bundle;
  const dir = mkdtempSync(join(tmpdir(), 'crew-cli-bundle-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  bundle = bundleCli(dir);
  return bundle;
}

/** Starts `crew …` from the source (see `bundled`). */
export function start(
  args: readonly string[],
  options: StartOptions = {},
): {
  child: ChildProcess;
  done: Promise<Finished>;
} {
  const entry = options.tsx ? ['--import', tsx, main] : [bundled()];
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: options.cwd ?? root,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.env === undefined ? {} : { env: { ...process.env, ...options.env } }),
  });
  child.stdin.end(options.stdin ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const done = new Promise<Finished>((resolve) => {
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Runs `crew …` to the end. */
export function crew(args: readonly string[], options: StartOptions = {}): Promise<Finished> {
  return start(args, options).done;
}

/**
 * Resolves once `ready()` holds, re-checking whenever something in `dir` changes (fs.watch),
 * never on a timer.
 */
export function whenInDir(dir: string, ready: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (ready()) return resolve();
    const watcher = watch(dir, () => {
      if (!ready()) return;
      watcher.close();
      resolve();
    });
    // The file may have appeared between the first check and the watch.
    if (ready()) {
      watcher.close();
      resolve();
    }
  });
}

/** The lines of `file`, or none while it does not exist. */
export function lines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0);
}

/** The JSON lines of `file` (a results file or a job log), or none while it does not exist. */
export function jsonLines<T>(file: string): T[] {
  return lines(file).map((line) => JSON.parse(line) as T);
}

/** Whether `pid` is a live process; a zombie nobody has reaped yet counts as gone. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/**
 * Which of `pids` are still alive after they have had `ms` milliseconds to finish dying: a
 * killed process closes its files (a FIFO's reader sees its end) a moment before it becomes a
 * zombie, so the end of its output is not yet its end. Polled, as a process's exit gives its
 * non-parent no event; a process that outlived a kill stays alive the whole time and is reported.
 */
export async function aliveAfter(pids: readonly number[], ms = 2000): Promise<boolean[]> {
  const deadline = performance.now() + ms;
  while (pids.some(alive) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return pids.map(alive);
}

/** Resolves once the child's `stream` has printed something matching `pattern`. */
export function whenPrinted(
  child: ChildProcess,
  stream: 'stdout' | 'stderr',
  pattern: RegExp,
): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    const onData = (text: string | Buffer): void => {
      seen += text.toString();
      if (!pattern.test(seen)) return;
      child[stream]!.off('data', onData);
      resolve();
    };
    child[stream]!.on('data', onData);
  });
}
