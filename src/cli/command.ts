import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  unlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const { O_APPEND, O_CREAT, O_EXCL, O_RDWR } = constants;
const EMPTY = Buffer.alloc(0);
let captures = 0;

/**
 * The outcome of a command that cannot be started because an argument holds a NUL byte (an
 * input line with one, read without --null): exec takes C strings, so no command could
 * receive it. Exit code 127, as for a command that is not found. `undefined` for any other argv.
 */
export function unlaunchable(argv: readonly string[]): CommandOutcome | undefined {
  if (!argv.some((arg) => arg.includes('\0'))) return undefined;
  return {
    exitCode: 127,
    signal: null,
    stdout: EMPTY,
    stderr: Buffer.from(
      `crew: ${JSON.stringify(argv[0])}: an argument holds a NUL byte, which no command can receive (NUL-separated input needs --null)\n`,
    ),
  };
}

/** A fresh, already unlinked temp file, open for reading and writing: where one stream is captured. */
function captureFile(): number {
  const path = join(tmpdir(), `crew-${process.pid}-${++captures}`);
  // O_APPEND: every write goes to the end, so that after the file is emptied the next command
  // writes from the start, whatever offset the last one left on the shared descriptor.
  const fd = openSync(path, O_RDWR | O_CREAT | O_EXCL | O_APPEND, 0o600);
  unlinkSync(path);
  return fd;
}

/**
 * Capture files of finished commands, emptied, to be used again: creating and unlinking a
 * file costs more than the fork on some file systems (ext4: about a third of a `true` job). A
 * pair comes back here only once its command's whole process group is gone, so that nothing
 * can still write to it.
 */
const spare: [number, number][] = [];

function captureFiles(): [number, number] {
  const pair = spare.pop();
  if (pair !== undefined) return pair;
  const out = captureFile();
  try {
    return [out, captureFile()];
  } catch (error) {
    closeSync(out);
    throw error;
  }
}

/** Everything written to a capture file, which is then emptied. */
function drain(fd: number): Buffer {
  const size = fstatSync(fd).size;
  let data = EMPTY;
  if (size > 0) {
    data = Buffer.allocUnsafe(size);
    data = data.subarray(0, readSync(fd, data, 0, size, 0));
    ftruncateSync(fd, 0);
  }
  return data;
}

/** Keeps a drained pair for the next command if the group led by `pid` is gone; else closes it. */
function release(pair: [number, number], pid: number): void {
  if (ProcessGroups.alive(pid)) discard(pair);
  else spare.push(pair);
}

/** Closes a pair that something may still write to (a stopped command's group may outlive its grace). */
function discard(pair: [number, number]): void {
  closeSync(pair[0]);
  closeSync(pair[1]);
}

/**
 * Runs `argv` (the program, then its arguments) without a shell, as the leader of a new process
 * group, with stdin from /dev/null. Resolves once the command has exited; never rejects: a
 * command that cannot be started resolves with exit code 127 and the reason on stderr, as a
 * shell would.
 *
 * Captured output goes to two unlinked temp files (not pipes: a pipe costs the spawn two
 * sockets and their streams), read back once the command has exited.
 *
 * When `options.signal` aborts (a timeout, `--halt now`, a second Ctrl-C) the whole group gets
 * SIGTERM, and SIGKILL `killGrace` ms later if anything of it is still running; the promise
 * then resolves only once the whole group is gone (or `killGrace` after the leader, if a member
 * stays a zombie).
 */
export function runCommand(
  argv: readonly string[],
  options: RunCommandOptions,
): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    const { signal, groups } = options;
    const files = options.capture ? captureFiles() : undefined;
    let child: ChildProcess | undefined;
    try {
      child = spawn(argv[0]!, argv.slice(1), {
        stdio: ['ignore', files?.[0] ?? 'inherit', files?.[1] ?? 'inherit'],
        detached: true,
      });
    } finally {
      // Never started: nothing wrote to the files.
      if (files !== undefined && child?.pid === undefined) spare.push(files);
    }
    const pid = child.pid;
    let killTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const onAbort = (): void => {
      if (pid === undefined) return;
      ProcessGroups.kill(pid, 'SIGTERM');
      killTimer = setTimeout(() => ProcessGroups.kill(pid, 'SIGKILL'), options.killGrace);
    };
    const finish = (outcome: CommandOutcome): void => {
      clearTimeout(killTimer);
      signal.removeEventListener('abort', onAbort);
      if (pid === undefined) return resolve(outcome);
      if (!signal.aborted) {
        groups.delete(pid);
        if (files !== undefined) release(files, pid);
        return resolve(outcome);
      }
      if (files !== undefined) discard(files);
      // A stopped command's leader may be gone while the rest of its group ignores SIGTERM:
      // finish the group off, and resolve once it is gone.
      ProcessGroups.kill(pid, 'SIGKILL');
      void ProcessGroups.whenGone(pid, options.killGrace).then(() => {
        groups.delete(pid);
        resolve(outcome);
      });
    };

    if (pid !== undefined) {
      groups.add(pid);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (pid !== undefined || settled) return; // a running command's later error: 'close' still follows
      settled = true;
      const reason = error.code === 'ENOENT' ? 'command not found' : error.message;
      finish({
        exitCode: 127,
        signal: null,
        stdout: EMPTY,
        stderr: Buffer.from(`crew: ${argv[0]}: ${reason}\n`),
      });
    });
    // With no pipes, 'close' follows the leader's exit at once: a job is over when its command
    // exits, as with GNU parallel; what its leftover processes write later is not captured.
    child.on('close', (exitCode, exitSignal) => {
      if (settled) return;
      settled = true;
      const out = files === undefined ? EMPTY : drain(files[0]);
      const err = files === undefined ? EMPTY : drain(files[1]);
      finish({ exitCode, signal: exitSignal, stdout: out, stderr: err });
    });
  });
}
