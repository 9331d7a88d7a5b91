import type { Transferable } from 'node:worker_threads';
import type { Thread } from './thread.js';

/**
 * One task while it is handed to the threads: from `Dispatcher.run()` until its
 * outcome comes back (or its thread dies). Not the Pool's task: retries, timeouts and
 * priorities live in the Pool; this is one attempt on its way through a thread.
 */
export class TaskRecord {
  readonly id: number;
  readonly job: unknown;
  readonly attempt: number;
  readonly transfer: readonly Transferable[] | undefined;
  readonly signal: AbortSignal | undefined;
  /** The submitter's stack frames, appended to an error's stack; see serialize-error.ts. */
  readonly callerStack: string | undefined;
  resolve!: (value: unknown) => void;
  reject!: (reason: unknown) => void;
  /** Where it was sent, and its place in that thread's order of starts (1-based). */
  thread: Thread | undefined = undefined;
  seq = 0;
  /** The signal aborted: it must not start, or its cancel was sent. */
  cancelled = false;
  onAbort: (() => void) | undefined = undefined;
  grace: NodeJS.Timeout | undefined = undefined;

  constructor(
    id: number,
    job: unknown,
    attempt: number,
    transfer: readonly Transferable[] | undefined,
    signal: AbortSignal | undefined,
    callerStack: string | undefined,
  ) {
    this.id = id;
    this.job = job;
    this.attempt = attempt;
    this.transfer = transfer;
    this.signal = signal;
    this.callerStack = callerStack;
  }
}
