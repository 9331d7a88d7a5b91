/**
 * The records a channel keeps for operations that wait: a receiver waiting for a value
 * and a sender waiting for room or a receiver. A plain `send()`/`receive()` and each
 * case of a waiting `select()` implement these; the channel only ever shifts a record
 * off its queue and then calls exactly one of its methods, once.
 */
import { defer } from './defer.js';
import { RingBuffer } from './ring-buffer.js';
import type { WaiterNode, WaiterQueue } from './waiter-queue.js';

/** The result of a receive: a value, or `ok: false` once the channel is closed and drained. */
export type ReceiveResult<T> = { value: T; ok: true } | { value: undefined; ok: false };

/** The one `ok: false` result; frozen, so it can be shared. */
export const CLOSED: ReceiveResult<never> = Object.freeze({ value: undefined, ok: false });

export interface Receiver<T> extends WaiterNode {
  /**
   * The channel has unlinked this waiter and hands it a value (`ok`) or reports it
   * closed and drained; `now` tells that deferring its wake gains nothing (see `woken`).
   */
  receive(value: T | undefined, ok: boolean, now: boolean): void;
}

export interface Sender<T> extends WaiterNode {
  readonly value: T;
  /** The channel has unlinked this waiter and taken its value. */
  sent(): void;
  /** The channel closed while this waiter waited; the value was not delivered. */
  fail(error: Error): void;
}

/**
 * Receivers that were handed their result but not yet resolved, in hand-off order.
 * When a sender wakes the last receiver waiting on a channel, resolving it is deferred
 * by one microtask (in one batch for all channels), so that the sender keeps running
 * first, as a Go sender does after waking a receiver: a producer then fills a buffer
 * while its consumer catches up, and the consumer takes values from the buffer on the
 * fast path instead of parking on a new pending promise for each. While other receivers
 * still wait, or when the channel has no buffer to fill, there is nothing to gain (the
 * next value goes to another receiver anyway, or the sender's next send waits), so the
 * receiver is resolved at once, unless earlier wakes are still deferred, to keep wakes in
 * hand-off order. Which receiver gets which value is decided at once either way, so FIFO
 * is unaffected.
 */
const woken = new RingBuffer<unknown>();
let flushScheduled = false;

/** A waiting receive's resolve function. */
export type Resolve<T> = (result: ReceiveResult<T>) => void;

function flushWoken(): void {
  flushScheduled = false;
  // Pairs: a receiver's resolve function, then its result.
  while (woken.length > 0) {
    const resolve = woken.shift() as Resolve<unknown>;
    resolve(woken.shift() as ReceiveResult<unknown>);
  }
}

/**
 * Resolves a woken receiver with `result`: at once when `now` (and no earlier wake is
 * deferred), otherwise in the next batch (see `woken`).
 */
export function wake<T>(resolve: Resolve<T>, result: ReceiveResult<T>, now: boolean): void {
  if (now && woken.length === 0) {
    resolve(result);
    return;
  }
  woken.push(resolve);
  woken.push(result);
  if (!flushScheduled) {
    flushScheduled = true;
    defer(flushWoken);
  }
}

/**
 * A `receive({ signal })` that waits (one without a signal waits as a bare resolve function;
 * see Channel). Kept flat (no base class); it is its own abort listener.
 */
export class ReceiveOperation<T> implements Receiver<T> {
  prev: WaiterNode | null;
  next: WaiterNode | null;
  queue: WaiterQueue<WaiterNode> | null;
  readonly #resolve: Resolve<T>;
  readonly #reject: (reason: unknown) => void;
  readonly #signal: AbortSignal | undefined;

  constructor(
    resolve: Resolve<T>,
    reject: (reason: unknown) => void,
    signal: AbortSignal | undefined,
  ) {
    this.prev = null;
    this.next = null;
    this.queue = null;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#signal = signal;
    if (signal !== undefined) signal.addEventListener('abort', this);
  }

  receive(value: T | undefined, ok: boolean, now: boolean): void {
    // Settled from here on: an abort now finds it unlinked and changes nothing.
    if (this.#signal !== undefined) this.#signal.removeEventListener('abort', this);
    wake(this.#resolve, ok ? { value: value as T, ok: true } : CLOSED, now);
  }

  handleEvent(): void {
    const queue = this.queue;
    if (queue === null) return;
    queue.remove(this);
    this.#signal!.removeEventListener('abort', this);
    this.#reject(this.#signal!.reason);
  }
}

/** A plain `send()` that waits; flat for the same reason as ReceiveOperation. */
export class SendOperation<T> implements Sender<T> {
  prev: WaiterNode | null;
  next: WaiterNode | null;
  queue: WaiterQueue<WaiterNode> | null;
  readonly value: T;
  readonly #resolve: () => void;
  readonly #reject: (reason: unknown) => void;
  readonly #signal: AbortSignal | undefined;

  constructor(
    value: T,
    resolve: () => void,
    reject: (reason: unknown) => void,
    signal: AbortSignal | undefined,
  ) {
    this.prev = null;
    this.next = null;
    this.queue = null;
    this.value = value;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#signal = signal;
    if (signal !== undefined) signal.addEventListener('abort', this);
  }

  sent(): void {
    if (this.#signal !== undefined) this.#signal.removeEventListener('abort', this);
    this.#resolve();
  }

  fail(error: Error): void {
    if (this.#signal !== undefined) this.#signal.removeEventListener('abort', this);
    this.#reject(error);
  }

  handleEvent(): void {
    const queue = this.queue;
    if (queue === null) return;
    queue.remove(this);
    this.#signal!.removeEventListener('abort', this);
    this.#reject(this.#signal!.reason);
  }
}
