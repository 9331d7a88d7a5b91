import type { Transferable } from 'node:worker_threads';
import type { AbortListener } from '../pool/internal.js';
import type { Thread } from './thread.js';

/** Who a record reports an abort to (the dispatcher). */
export interface RecordOwner {
  abortTask(task: TaskRecord, reason: unknown): void;
}

// One executor for every record's promise, so that making one allocates no closure.
let nextResolve: ((value: unknown) => void) | undefined;
let nextReject: ((reason: unknown) => void) | undefined;
function capture(resolve: (value: unknown) => void, reject: (reason: unknown) => void): void {
  nextResolve = resolve;
  nextReject = reject;
}

/**
 * One task while it is handed to the threads: from `Dispatcher.run()` until its
 * outcome comes back (or its thread dies). Not the Pool's task: retries, timeouts and
 * priorities live in the Pool; this is one attempt on its way through a thread. It is
 * its own abort listener, so forwarding an abort allocates nothing per task.
 */
export class TaskRecord implements AbortListener {
  readonly id: number;
  readonly job: unknown;
  readonly attempt: number;
  readonly transfer: readonly Transferable[] | undefined;
  readonly owner: RecordOwner;
  readonly promise: Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  /** Where it was sent, and its place in that thread's order of starts (1-based). */
  thread: Thread | undefined = undefined;
  seq = 0;
  /** The attempt was aborted (with `reason`): it must not start, or its cancel was sent. */
  cancelled = false;
  reason: unknown = undefined;
  settled = false;
  /** The thread it was aborted on, while its handler has not returned. */
  drainingOn: Thread | undefined = undefined;
  grace: NodeJS.Timeout | undefined = undefined;
  /** Whether a grace check found its handler running (the period restarts from then). */
  seenRunning = false;

  constructor(
    owner: RecordOwner,
    id: number,
    job: unknown,
    attempt: number,
    transfer: readonly Transferable[] | undefined,
  ) {
    this.owner = owner;
    this.id = id;
    this.job = job;
    this.attempt = attempt;
    this.transfer = transfer;
    this.promise = new Promise(capture);
    this.resolve = nextResolve!;
    this.reject = nextReject!;
  }

  handleAbort(reason: unknown): void {
    this.owner.abortTask(this, reason);
  }
}
