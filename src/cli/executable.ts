import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UsageError } from './usage-error.js';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether the file starts with `#!`: a script, run through another program. */
function isScript(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head.toString('latin1') === '#!';
  } catch {
    return true;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The path of `program` on `PATH`, or `undefined` when it is not there (or not executable).
 * With `binary`, the first that is not a `#!` script (a version manager's shim).
 */
export function findExecutable(
  program: string,
  options: { binary?: boolean } = {},
): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir.length > 0);
  return dirs
    .map((dir) => join(dir, program))
    .find((path) => isExecutable(path) && !(options.binary === true && isScript(path)));
}

/**
 * Checks, before any job starts, that `program` can be run: a path must name an executable
 * file, a bare name must be found on `PATH`. Throws `UsageError` otherwise, so a typo in the
 * command is one clear line instead of a thousand failed jobs.
 */
export function checkExecutable(program: string): void {
  if (program.includes('/')) {
    if (!isExecutable(program))
      throw new UsageError(`Cannot run ${program}: not an executable file`);
    return;
  }
  if (findExecutable(program) === undefined) {
    throw new UsageError(`Cannot run ${program}: command not found on PATH`);
  }
}
