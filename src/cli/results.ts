import { formatValue } from './format.js';
import { JsonlFile } from './jsonl-file.js';
import type { JobRecord } from './job-record.js';

/**
 * The results file (`--results FILE.jsonl`): one JSON line per finished job, in the order jobs
 * finish. For a command:
 * `{"seq":1,"input":"a.txt","ok":true,"exitCode":0,"signal":null,"attempts":1,"start":"…","duration":8,"stdout":"…","stderr":""}`;
 * for a module handler, `value` (the handler's return value) instead of the exit code and
 * output. A failed job has `ok: false` and `error: { name, code?, message }`. Output is decoded
 * as UTF-8.
 */
export class Results {
  readonly #file: JsonlFile;

  constructor(path: string, append: boolean) {
    this.#file = new JsonlFile('--results', path, append);
  }

  /** Records a command job. */
  command(job: JobRecord, error: unknown): void {
    this.#file.write({
      seq: job.seq,
      input: job.input,
      ok: error === undefined,
      exitCode: job.exitCode,
      signal: job.signal,
      ...(error === undefined ? {} : { error: describeError(error) }),
      attempts: job.attempts,
      start: new Date(job.start || job.end).toISOString(),
      duration: job.duration,
      stdout: job.stdout?.toString('utf8') ?? '',
      stderr: job.stderr?.toString('utf8') ?? '',
    });
  }

  /** Records a module-handler job: its value, or its error. */
  module(job: JobRecord, ok: boolean, valueOrError: unknown): void {
    this.#file.write({
      seq: job.seq,
      input: job.input,
      ok,
      ...(ok ? { value: jsonValue(valueOrError) } : { error: describeError(valueOrError) }),
      attempts: job.attempts,
      start: new Date(job.start || job.end).toISOString(),
      duration: job.duration,
    });
  }

  close(): void {
    this.#file.close();
  }
}

/** An error as plain JSON: name, code when it has one, message. */
export function describeError(error: unknown): { name: string; code?: string; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      ...(typeof code === 'string' ? { code } : {}),
      message: error.message,
    };
  }
  return { name: 'Error', message: String(error) };
}

/** A handler's value as JSON can hold it: as it is when it serializes, else as printed. */
function jsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  try {
    JSON.stringify(value);
    return value;
  } catch {
    return formatValue(value)?.trimEnd() ?? null;
  }
}
