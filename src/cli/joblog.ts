import { readFileSync } from 'node:fs';
import { JsonlFile } from './jsonl-file.js';
import type { JobRecord } from './job-record.js';

/**
 * The job log (`--joblog FILE`): one JSON line per finished job,
 * `{"seq":3,"input":"b.txt","ok":true,"exitCode":0,"attempts":1,"start":"…","duration":12}`.
 * A fresh run truncates it; `--resume` appends to it.
 *
 * `--resume` skips an input when the log holds a successful record with the same position
 * (`seq`) and the same input text, so an input that moved, or whose line changed, runs again.
 * Failed jobs run again. A torn last line (a run killed mid-write) is ignored.
 */
export class Joblog {
  readonly #file: JsonlFile;

  constructor(path: string, resume: boolean) {
    this.#file = new JsonlFile('--joblog', path, resume);
  }

  /** The keys of the inputs that succeeded in the log at `path` (none when there is no such file). */
  static succeeded(path: string): Set<string> {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return new Set();
    }
    const done = new Set<string>();
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      try {
        const entry = JSON.parse(line) as { seq?: unknown; input?: unknown; ok?: unknown };
        if (entry.ok === true && typeof entry.seq === 'number' && typeof entry.input === 'string') {
          done.add(Joblog.key(entry.seq, entry.input));
        }
      } catch {
        // A line torn by a killed run: that job simply runs again.
      }
    }
    return done;
  }

  static key(seq: number, input: string): string {
    return `${seq}\n${input}`;
  }

  record(job: JobRecord, ok: boolean): void {
    this.#file.write({
      seq: job.seq,
      input: job.input,
      ok,
      exitCode: job.exitCode,
      signal: job.signal,
      attempts: job.attempts,
      start: new Date(job.start || job.end).toISOString(),
      duration: job.duration,
    });
  }

  close(): void {
    this.#file.close();
  }
}
