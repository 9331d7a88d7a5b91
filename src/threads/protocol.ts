/**
 * The messages between the main side and a thread. Both directions batch: one
 * message carries many operations as a flat array, so that thousands of small
 * tasks cost a handful of `postMessage` calls, not thousands.
 *
 * Main → thread, one `ToThread` message: `ops` is a flat list of
 *   `OP_RUN, id, job, attempt`   start the handler for task `id`
 *   `OP_CANCEL, id, reason`      abort that task's `ctx.signal` with `reason` (serialized)
 *
 * Thread → main:
 *   `{ type: 'ready' }`                    the handler module loaded; sent once
 *   `{ type: 'load-error', error }`        it did not (serialized error); the thread is useless
 *   `{ type: 'results', results, busy }`   a flat list of `id, status, value` where status is
 *       `STATUS_OK` (value: the result) or `STATUS_ERROR` (value: a serialized error); `busy`
 *       is the mean synchronous time of these handlers in ms (how long each blocked the thread)
 *
 * Order: a thread starts tasks in the order it receives them (and counts each start in
 * `workerData.started`), so the main side can tell which tasks of a dead thread never
 * began and may run elsewhere without using up an attempt.
 */

export const OP_RUN = 0;
export const OP_CANCEL = 1;
/** Values per operation in `ToThread.ops`: op, id, and one more each. */
export const RUN_WIDTH = 4;
export const CANCEL_WIDTH = 3;

export const STATUS_OK = 0;
export const STATUS_ERROR = 1;
/** Values per result in `ResultsMessage.results`. */
export const RESULT_WIDTH = 3;

export interface ToThread {
  ops: unknown[];
}

export interface ReadyMessage {
  type: 'ready';
}

export interface LoadErrorMessage {
  type: 'load-error';
  /** Whether the module loaded but its default export is not a function. */
  invalidExport: boolean;
  error: unknown;
}

export interface ResultsMessage {
  type: 'results';
  results: unknown[];
  busy: number;
}

export type FromThread = ReadyMessage | LoadErrorMessage | ResultsMessage;

/** What the main side hands a new thread in `workerData`. */
export interface ThreadData {
  /** The handler module as a `file:` (or other importable) URL. */
  module: string;
  /** Modules to import before the handler (e.g. tsx's loader registration), as URLs. */
  preload: string[];
  /** `started[0]`: how many tasks the thread has started so far. Written only by the thread. */
  started: Int32Array;
}
