import type { Progress } from './progress.js';

interface Block {
  stdout: Buffer | string | undefined;
  stderr: Buffer | string | undefined;
}

const NOTHING: Block = { stdout: undefined, stderr: undefined };

/** Where output goes: `process.stdout` and `process.stderr`, or stand-ins in tests. */
export interface OutputStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * Prints each job's output as one block: all of its stdout, then all of its stderr, written
 * back to back, so two jobs' output never interleaves. With `keepOrder`, blocks are held until
 * every earlier input has printed (or was marked `skip`), so output follows input order
 * whatever order jobs finish in.
 *
 * Writes to stdout and stderr are synchronous on Linux and macOS for files, pipes and
 * terminals, which is what keeps a block whole. A closed stdout (`crew run … | head`) ends
 * printing quietly instead of crashing the run.
 */
export class Output {
  readonly #keepOrder: boolean;
  readonly #progress: Progress | undefined;
  readonly #streams: OutputStreams;
  readonly #held = new Map<number, Block>();
  #next = 1;
  #broken = false;

  constructor(
    keepOrder: boolean,
    progress: Progress | undefined,
    streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr },
  ) {
    this.#keepOrder = keepOrder;
    this.#progress = progress;
    this.#streams = streams;
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EPIPE') this.#broken = true;
      else throw error;
    };
    streams.stdout.on('error', onError);
  }

  /** The output of job `seq`. */
  print(
    seq: number,
    stdout: Buffer | string | undefined,
    stderr: Buffer | string | undefined,
  ): void {
    if (!this.#keepOrder) return this.#write({ stdout, stderr });
    this.#held.set(seq, { stdout, stderr });
    this.#release();
  }

  /** Job `seq` prints nothing (skipped by `--resume`, or never started); later jobs need not wait for it. */
  skip(seq: number): void {
    if (!this.#keepOrder) return;
    this.#held.set(seq, NOTHING);
    this.#release();
  }

  /** Prints whatever is still held, in order (the run ended early, so some inputs never ran). */
  flush(): void {
    const rest = [...this.#held.keys()].sort((a, b) => a - b);
    for (const seq of rest) this.#write(this.#held.get(seq)!);
    this.#held.clear();
  }

  #release(): void {
    for (let block = this.#held.get(this.#next); block; block = this.#held.get(this.#next)) {
      this.#held.delete(this.#next++);
      this.#write(block);
    }
  }

  #write(block: Block): void {
    const out = block.stdout !== undefined && block.stdout.length > 0 && !this.#broken;
    const err = block.stderr !== undefined && block.stderr.length > 0;
    if (!out && !err) return;
    this.#progress?.clear();
    if (out) this.#streams.stdout.write(block.stdout!);
    if (err) this.#streams.stderr.write(block.stderr!);
  }
}
