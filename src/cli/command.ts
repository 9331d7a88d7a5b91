import { spawn, type StdioOptions } from 'node:child_process';
import { ProcessGroups } from './process-groups.js';

/** How one command run ended: its exit code (or the signal that ended it) and, when captured, its output. */
export interface CommandOutcome {
  /** The exit code; `null` when a signal ended the command, 127 when it could not be started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}

export interface RunCommandOptions {
  /** Aborting it ends the command's whole process group: SIGTERM, then SIGKILL after `killGrace`. */
  signal: AbortSignal;
  /** Capture stdout and stderr (for grouped output) instead of passing them straight through. */
  capture: boolean;
  /** Milliseconds between SIGTERM and SIGKILL when the command is stopped. */
  killGrace: number;
  /** Where the running command's process group is tracked, so that crew can stop it on exit. */
  groups: ProcessGroups;
}

const EMPTY = Buffer.alloc(0);
const CAPTURE: StdioOptions = ['ignore', 'pipe', 'pipe'];
const PASS_THROUGH: StdioOptions = ['ignore', 'inherit', 'inherit'];

function join(chunks: Buffer[] | undefined): Buffer {
  if (chunks === undefined) return EMPTY;
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * Runs `argv` (the program, then its arguments) without a shell, as the leader of a new process
 * group, with stdin from /dev/null. Resolves once the command has exited and its output is
 * closed; never rejects: a command that cannot be started resolves with exit code 127 and the
 * reason on stderr, as a shell would.
 *
 * When `options.signal` aborts (a timeout, `--halt now`, a second Ctrl-C) the whole group gets
 * SIGTERM, and SIGKILL `killGrace` ms later if anything of it is still running; the promise
 * still resolves only once the command is gone.
 */
export function runCommand(
  argv: readonly string[],
  options: RunCommandOptions,
): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    const { signal, groups } = options;
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: options.capture ? CAPTURE : PASS_THROUGH,
      detached: true,
    });
    const pid = child.pid;
    let stdout: Buffer[] | undefined;
    let stderr: Buffer[] | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const onAbort = (): void => {
      if (pid === undefined) return;
      ProcessGroups.kill(pid, 'SIGTERM');
      killTimer = setTimeout(() => ProcessGroups.kill(pid, 'SIGKILL'), options.killGrace);
    };
    const finish = (outcome: CommandOutcome): void => {
      if (settled) return;
      settled = true;
      if (pid !== undefined) {
        groups.delete(pid);
        // A stopped command's leader may be gone while the rest of its group ignores SIGTERM
        // (or no longer holds the pipes): finish the group off now rather than leave it behind.
        if (signal.aborted) ProcessGroups.kill(pid, 'SIGKILL');
      }
      clearTimeout(killTimer);
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };

    if (pid !== undefined) {
      groups.add(pid);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
    child.stdout?.on('data', (chunk: Buffer) => (stdout ??= []).push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => (stderr ??= []).push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (pid !== undefined) return; // a running command's later error: 'close' still follows
      const reason = error.code === 'ENOENT' ? 'command not found' : error.message;
      finish({
        exitCode: 127,
        signal: null,
        stdout: EMPTY,
        stderr: Buffer.from(`crew: ${argv[0]}: ${reason}\n`),
      });
    });
    child.on('close', (exitCode, exitSignal) => {
      finish({ exitCode, signal: exitSignal, stdout: join(stdout), stderr: join(stderr) });
    });
  });
}
