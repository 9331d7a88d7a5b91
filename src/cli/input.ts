import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/**
 * The inputs of a run, one per job, in order: from `:::` arguments, from a file, or from stdin
 * split on newlines (a trailing `\r` is dropped) or on NUL bytes (`--null`). Empty inputs are
 * skipped, so a trailing newline or a blank line never makes a job.
 *
 * A stream is read as fast as it arrives, ahead of the jobs, so that `total` is known as soon
 * as the input has ended (the progress line shows it) while jobs start from the first line on.
 * Inputs are strings; memory grows with the input's size, not with the number of jobs run.
 */
export class Inputs implements AsyncIterable<string> {
  /** Read but not yet taken; `#head` indexes the next one. */
  #pending: (string | undefined)[] = [];
  #head = 0;
  #count = 0;
  #ended = false;
  #closed = false;
  #error: unknown;
  #wake: (() => void) | undefined;

  /** How many inputs there are, once the source has ended; `undefined` before. */
  get total(): number | undefined {
    return this.#ended ? this.#count : undefined;
  }

  /** Inputs given on the command line (after `:::`). */
  static of(list: readonly string[]): Inputs {
    const inputs = new Inputs();
    for (const item of list) inputs.#add(item);
    inputs.#end();
    return inputs;
  }

  /** A file (`--input`) or stdin, split on `separator`. Reading starts at once. */
  static read(source: NodeJS.ReadableStream | string, separator: '\n' | '\0'): Inputs {
    const inputs = new Inputs();
    const stream = typeof source === 'string' ? createReadStream(source) : source;
    void inputs.#consume(stream, separator);
    return inputs;
  }

  async #consume(stream: NodeJS.ReadableStream, separator: '\n' | '\0'): Promise<void> {
    const decoder = new StringDecoder('utf8');
    let carry = '';
    try {
      for await (const chunk of stream) {
        const text = carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
        const parts = text.split(separator);
        carry = parts.pop()!;
        for (const part of parts) this.#add(separator === '\n' ? trimCr(part) : part);
      }
      const rest = carry + decoder.end();
      this.#add(separator === '\n' ? trimCr(rest) : rest);
    } catch (error) {
      this.#error = error;
    }
    this.#end();
  }

  #add(input: string): void {
    if (input.length === 0) return;
    this.#pending.push(input);
    this.#count++;
    this.#signal();
  }

  #end(): void {
    this.#ended = true;
    this.#signal();
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Ends iteration now (the run is stopping), even while the source is still open. */
  close(): void {
    this.#closed = true;
    this.#signal();
  }

  /** Every input in order; waits for the next one to arrive. Rejects if the source fails. */
  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      if (this.#closed) return;
      if (this.#head < this.#pending.length) {
        const input = this.#pending[this.#head]!;
        this.#pending[this.#head++] = undefined;
        if (this.#head >= 1024 && this.#head * 2 >= this.#pending.length) {
          this.#pending = this.#pending.slice(this.#head);
          this.#head = 0;
        }
        yield input;
      } else if (this.#ended) {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the stream's own error, as it was
        if (this.#error !== undefined) throw this.#error;
        return;
      } else {
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    }
  }
}

function trimCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
