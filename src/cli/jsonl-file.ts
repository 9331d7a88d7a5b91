import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from './usage-error.js';

/**
 * A file that gets one JSON object per line. Each line is written with one synchronous
 * `write(2)` as soon as it is known, so a run killed at any moment leaves every finished
 * record on disk, whole (a record is far below the size the kernel could split).
 */
export class JsonlFile {
  readonly #fd: number;

  /** Opens `path` for writing (`append`: keep what is there). A path that cannot be opened is a usage error. */
  constructor(flag: string, path: string, append: boolean) {
    try {
      this.#fd = openSync(path, append ? 'a' : 'w');
    } catch (error) {
      throw new UsageError(`Cannot open \`${flag}\` file ${path}: ${(error as Error).message}`);
    }
  }

  write(record: object): void {
    writeSync(this.#fd, `${JSON.stringify(record)}\n`);
  }

  close(): void {
    closeSync(this.#fd);
  }
}
