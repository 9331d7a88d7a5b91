/**
 * The messages between the main side and a thread. Both directions batch: one
 * message carries many operations as a flat array, so that thousands of small
 * tasks cost a handful of `postMessage` calls, not thousands.
 *
 * A task is known by its slot on the thread: a number from 1 that it holds until its outcome
 * is back, then reused (see SlotTable).
 *
 * Main → thread, one `ToThread` message: `ops` is a flat list of operations, each told
 * apart by its first value:
 *   `slot, job`                (slot > 0) start the handler for that task, attempt 1
 *   `-slot, job, attempt`      the same, for a later attempt
 *   `0, slot, reason`          abort that task's `ctx.signal` with `reason` (serialized)
 * The common case, a first attempt, costs two values to clone, not four.
 *
 * Thread → main:
 *   `{ type: 'ready' }`                    the handler module loaded; sent once
 *   `{ type: 'load-error', error }`        it did not (serialized error); the thread is useless
 *   `{ type: 'results', results, busy }`   a flat list of `slot, value` pairs: `slot` for a
 *       result, `-slot` for a failure (value: a serialized error); `busy` is the mean
 *       synchronous time of these handlers in ms (how long each blocked the thread)
 *
 * Order: a thread starts tasks in the order it receives them (and counts each start in
 * `workerData.started`), so the main side can tell which tasks of a dead thread never
 * began and may run elsewhere without using up an attempt.
 */

/** First value of a cancel operation in `ToThread.ops`; see the header. */
export const OP_CANCEL = 0;
/** Values per result in `ResultsMessage.results`. */
export const RESULT_WIDTH = 2;

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

/** How many start times a thread keeps (see `ThreadData.startTimes`), the newest ones. */
export const START_TIMES = 4096;

/** What the main side hands a new thread in `workerData`. */
export interface ThreadData {
  /** The handler module as a `file:` (or other importable) URL. */
  module: string;
  /** Modules to import before the handler (e.g. tsx's loader registration), as URLs. */
  preload: string[];
  /** `started[0]`: how many tasks the thread has started so far. Written only by the thread. */
  started: Int32Array;
  /**
   * When each task began (`performance.timeOrigin + performance.now()` in the thread), at
   * `seq % START_TIMES`, written before `started` counts it: timeouts count from there.
   */
  startTimes: Float64Array;
  /** The process's activity flags (see activity.ts); the thread writes only its own. */
  activity: Int32Array;
  /** This thread's flag in `activity`; 0 for none (more than 1024 threads alive). */
  activitySlot: number;
}
