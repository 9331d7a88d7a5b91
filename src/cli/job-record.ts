/**
 * Everything `crew run` knows about one job, filled in as its attempts run. The job log, the
 * results file, the grouped output and the progress line all read from it.
 */
export class JobRecord {
  /** The input's position, from 1 (`{#}`); with the input itself, the key that `--resume` matches on. */
  readonly seq: number;
  /** The input line as read. */
  readonly input: string;
  /** What the handler gets: the input, or with `--json` the input parsed. */
  payload: unknown;
  /** When the first attempt started (ms since the epoch); 0 until then. */
  start = 0;
  /** When the job settled (ms since the epoch). */
  end = 0;
  /** The attempt whose outcome is recorded below. */
  attempts = 0;
  /** Of a command: its exit code (`null` when a signal ended it or it never ran). */
  exitCode: number | null = null;
  signal: string | null = null;
  stdout: Buffer | undefined;
  stderr: Buffer | undefined;
  /** The latest attempt of a command, until it is over: the command's exit and closed output. */
  current: Promise<unknown> | undefined;

  constructor(seq: number, input: string) {
    this.seq = seq;
    this.input = input;
    this.payload = input;
  }

  /** Milliseconds from the first attempt's start to the end. */
  get duration(): number {
    return this.start === 0 ? 0 : this.end - this.start;
  }
}
