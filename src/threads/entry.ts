/**
 * The code that runs inside each thread, and the only such code: it loads the handler
 * module, then runs the tasks the main side sends and sends their outcomes back.
 *
 * A thread hosts many workers: every task it receives starts at once (in order), so an
 * async handler's tasks interleave. Outcomes are batched: every outcome produced within
 * one turn of the event loop goes back in one message (flushed in a microtask).
 *
 * Crashes are not caught here on purpose: an uncaught exception or unhandled rejection
 * ends the thread, and the main side fails the tasks that were running with
 * `ThreadCrashError` and replaces the thread.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData, type Transferable } from 'node:worker_threads';
import { RESTING, WORKING } from './activity.js';
import {
  OP_CANCEL,
  RESULT_WIDTH,
  START_TIMES,
  type FromThread,
  type ThreadData,
  type ToThread,
} from './protocol.js';
import { deserializeError, serializeError } from './serialize-error.js';
import { isTransferResult } from './transfer.js';
import { defer } from '../internal/defer.js';

type Handler = (job: unknown, ctx: TaskContext) => unknown;

/** A synchronous run at least this long (ms) sends its outcome without waiting for its batch. */
const LONG_TASK_MS = 0.5;

/**
 * `ctx` inside the thread. The signal is made only when the handler reads it: most small
 * tasks never do, and an AbortController per task would be most of their cost.
 */
class TaskContext {
  readonly attempt: number;
  #controller: AbortController | undefined;
  #reason: unknown;
  #aborted = false;

  constructor(attempt: number) {
    this.attempt = attempt;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

const data = workerData as ThreadData;
const timeOrigin = performance.timeOrigin;
const port = parentPort!;
/** The running tasks' contexts, by slot (small numbers the main side reuses; see SlotTable). */
const running: (TaskContext | undefined)[] = [];
let handler: Handler;
let started = 0;

let outbox: unknown[] = [];
let transfers: Transferable[] = [];
/** Per outbox entry, its own transfer list (for the one-by-one fallback); mostly empty. */
let itemTransfers: (readonly Transferable[] | undefined)[] = [];
let busyTotal = 0;
let busyCount = 0;
/** Whether this thread is on a core (see activity.ts). */
let state = RESTING;

function post(message: FromThread, transferList?: Transferable[]): void {
  port.postMessage(message, transferList);
}

function pickHandler(mod: Record<string, unknown>): Handler | undefined {
  const main = mod.default;
  if (typeof main === 'function') return main as Handler;
  // A CommonJS module compiled from `export default` exposes it as `module.exports.default`.
  if (typeof main === 'object' && main !== null) {
    const inner = (main as Record<string, unknown>).default;
    if (typeof inner === 'function') return inner as Handler;
  }
  return undefined;
}

function onMessage(message: ToThread): void {
  setState(WORKING);
  const ops = message.ops;
  for (let i = 0; i < ops.length;) {
    const first = ops[i] as number;
    if (first > 0) {
      start(first, ops[i + 1], 1);
      i += 2;
    } else if (first !== OP_CANCEL) {
      start(-first, ops[i + 1], ops[i + 2] as number);
      i += 3;
    } else {
      running[ops[i + 1] as number]?.abort(deserializeError(ops[i + 2]));
      i += 3;
    }
  }
  // Outcomes to send go in `flushAndWait`; otherwise the thread waits now.
  if (outbox.length === 0) setState(RESTING);
}

function start(slot: number, job: unknown, attempt: number): void {
  const ctx = new TaskContext(attempt);
  running[slot] = ctx;
  const begin = performance.now();
  // When it began, before counting it started: the main side reads the time once it sees
  // the count (its timeout counts from here, not from when the task was sent).
  data.startTimes[(started + 1) % START_TIMES] = timeOrigin + begin;
  Atomics.store(data.started, 0, ++started);
  let result: unknown;
  try {
    result = handler(job, ctx);
  } catch (error) {
    busyTotal += performance.now() - begin;
    busyCount++;
    finish(slot, false, error);
    return;
  }
  const took = performance.now() - begin;
  busyTotal += took;
  busyCount++;
  if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
    (result as PromiseLike<unknown>).then(
      (value) => finish(slot, true, value),
      (error) => finish(slot, false, error),
    );
  } else {
    finish(slot, true, result);
    // A long task's outcome leaves at once, not after the rest of its batch: the main side
    // sends the next task while this thread runs the one after, so the thread never idles.
    if (took >= LONG_TASK_MS) flush();
  }
}

/** Queues a task's outcome: `slot, value` for a result, `-slot, error` for a failure. */
function finish(slot: number, ok: boolean, value: unknown): void {
  running[slot] = undefined;
  if (outbox.length === 0) defer(flushAndWait);
  if (!ok) {
    outbox.push(-slot, serializeError(value));
    itemTransfers.push(undefined);
  } else if (isTransferResult(value)) {
    outbox.push(slot, value.value);
    itemTransfers.push(value.transferList);
    transfers.push(...value.transferList);
  } else {
    outbox.push(slot, value);
    itemTransfers.push(undefined);
  }
}

function flush(): void {
  if (outbox.length === 0) return;
  const results = outbox;
  const transferList = transfers;
  const perItem = itemTransfers;
  const busy = busyCount === 0 ? 0 : busyTotal / busyCount;
  outbox = [];
  transfers = [];
  itemTransfers = [];
  busyTotal = 0;
  busyCount = 0;
  try {
    post({ type: 'results', results, busy }, transferList);
  } catch {
    // Something in the batch cannot be cloned (a function, a class instance with private
    // state...). Send them one by one, so that only the culprits fail.
    for (let i = 0, k = 0; i < results.length; i += RESULT_WIDTH, k++) {
      const one = results.slice(i, i + RESULT_WIDTH);
      try {
        post({ type: 'results', results: one, busy }, perItem[k] as Transferable[] | undefined);
      } catch (error) {
        post({
          type: 'results',
          results: [-Math.abs(one[0] as number), serializeError(error)],
          busy,
        });
      }
    }
  }
}

/**
 * Sends the outcomes of a turn of the event loop; then the thread waits in it. (A microtask,
 * so never inside `onMessage`, whose long tasks call `flush` alone.)
 */
function flushAndWait(): void {
  flush();
  setState(RESTING);
}

function setState(next: number): void {
  if (state === next || data.activitySlot === 0) return;
  state = next;
  Atomics.store(data.activity, data.activitySlot, next);
}

async function load(): Promise<void> {
  try {
    for (const url of data.preload) {
      const mod = (await import(url)) as { register?: unknown; default?: { register?: unknown } };
      // tsx's API registers its loader when asked; Node does not run `--import` in threads.
      const register = mod.register ?? mod.default?.register;
      if (typeof register === 'function') (register as () => void)();
    }
    const mod = (await import(data.module)) as Record<string, unknown>;
    const found = pickHandler(mod);
    if (found === undefined) {
      post({ type: 'load-error', invalidExport: true, error: undefined });
      return;
    }
    handler = found;
  } catch (error) {
    post({ type: 'load-error', invalidExport: false, error: serializeError(error) });
    return;
  }
  post({ type: 'ready' });
  port.on('message', onMessage);
}

void load();
