/**
 * Channel<T>: Go's channel for promises. A sender and a receiver meet through it, with
 * a buffer of `capacity` values between them (0: they meet hand to hand).
 *
 * State invariants (between calls; JavaScript runs each call to completion):
 * - receivers wait only while the buffer is empty and no sender waits;
 * - a receive without a signal that waits while no other receiver waits in the queue parks as
 *   its bare resolve function in `#parked` (no record to allocate: the common case of
 *   consumers that outpace their producer); every other waiting receive, and every select,
 *   waits in the `#receivers` queue. So every parked receiver came before every queued one,
 *   and a value goes to the parked ones first: FIFO across both;
 * - senders wait only while the buffer is full (always, at capacity 0) and no receiver waits;
 * - so at most one of the two waiter queues is non-empty (one exception: a select waiting
 *   to send and to receive on the same channel sits in both, and never meets itself), and
 *   a newcomer that finds a waiter of its own kind queues behind it: nobody overtakes.
 * - once closed: no receiver waits (each was handed `ok: false`), no sender waits (each
 *   was rejected), and the buffer only drains.
 */
import { ChannelClosedError, InvalidOptionError } from './errors.js';
import {
  CLOSED,
  ReceiveOperation,
  SendOperation,
  wake,
  type ReceiveResult,
  type Receiver,
  type Resolve,
  type Sender,
} from './internal/channel-waiters.js';
import { brand } from './internal/brand.js';
import { RingBuffer } from './internal/ring-buffer.js';
import { optionalSignal } from './internal/validate.js';
import { WaiterQueue } from './internal/waiter-queue.js';
import { ReceiveCase, SendCase } from './select.js';
import { rejectWith } from './internal/reject-with.js';

export type { ReceiveResult } from './internal/channel-waiters.js';

/** The options of a waiting operation. */
export interface WaitOptions {
  /** Aborting it withdraws the operation: it rejects with `signal.reason` and consumes or delivers nothing. */
  signal?: AbortSignal | undefined;
}

/** Marks "nothing to take" on the non-waiting path; distinct from any value, `undefined` included. */
const EMPTY: unique symbol = Symbol('empty');

const RESOLVED: Promise<void> = Promise.resolve();
const RESOLVED_CLOSED: Promise<ReceiveResult<never>> = Promise.resolve(CLOSED);

/**
 * A new promise's settle functions, taken by one shared executor: a waiting operation
 * then allocates no closure of its own. Read them right after `new Promise(capture)`.
 */
const captured = {
  resolve: undefined as unknown as (value: never) => void,
  reject: undefined as unknown as (reason: unknown) => void,
};
function capture(resolve: (value: never) => void, reject: (reason: unknown) => void): void {
  captured.resolve = resolve;
  captured.reject = reject;
}

/**
 * The key of the method by which select reaches a channel's waiter queues (not public). It
 * is a registered symbol, the same in every copy of crew: when a process loads both the ESM
 * and the CommonJS build (one dependency imports crew, another requires it), a select or
 * `pool.process()` from one copy works on a channel made by the other.
 */
const kWaiterQueues = Symbol.for('crew.Channel.waiterQueues');

interface WaiterQueues<T> {
  receivers: WaiterQueue<Receiver<T>>;
  senders: WaiterQueue<Sender<T>>;
}

/** select's way into a channel's waiter queues. */
export function waiterQueues<T>(channel: Channel<T>): WaiterQueues<T> {
  return (channel as unknown as Record<symbol, () => WaiterQueues<T>>)[kWaiterQueues]!();
}

/** Whether `value` is a channel made by any copy of crew (see `kWaiterQueues`). */
export function isChannel(value: unknown): value is Channel<unknown> {
  return typeof brand(value, kWaiterQueues) === 'function';
}

/**
 * A Go-style channel: FIFO, optionally buffered, closable, and async-iterable.
 *
 * - `send` waits while the buffer is full (unbuffered: until a receiver takes the value).
 * - `receive` waits while the buffer is empty and no sender waits; once the channel is
 *   closed and drained it returns `{ value: undefined, ok: false }` at once, forever.
 * - `close` lets receivers drain what is buffered; senders still waiting reject with
 *   {@link ChannelClosedError}, and later sends reject the same way.
 * - Every waiting operation takes `{ signal }`; an aborted wait rejects with
 *   `signal.reason` and consumed or delivered nothing. An already-aborted signal rejects
 *   at once, even when the operation could have completed.
 * - Values, waiting senders and waiting receivers are served first in, first out.
 *   `undefined` and `null` are ordinary values.
 *
 * @example
 * ```ts
 * const ch = new Channel<number>(2);
 * await ch.send(1);
 * await ch.send(2);
 * ch.close();
 * for await (const n of ch) console.log(n); // 1, 2
 * ```
 */
export class Channel<T> implements AsyncIterable<T> {
  readonly #capacity: number;
  readonly #buffer: RingBuffer<T>;
  /**
   * Receives without a signal, waiting ahead of any in `#receivers` (see the header). Typed
   * without `T` so that a `Channel<T>` stays assignable where a `Channel<unknown>` is expected.
   */
  readonly #parked = new RingBuffer<Resolve<never>>();
  readonly #receivers = new WaiterQueue<Receiver<T>>();
  readonly #senders = new WaiterQueue<Sender<T>>();
  #closed = false;
  #receiveCase: ReceiveCase<T> | undefined;

  static {
    Object.defineProperty(Channel.prototype, kWaiterQueues, {
      value(this: Channel<unknown>): WaiterQueues<unknown> {
        return { receivers: this.#receivers, senders: this.#senders };
      },
    });
  }

  /**
   * @param capacity How many values the channel buffers: an integer ≥ 0 (or `Infinity`
   *   for an unbounded buffer). Default 0: an unbuffered rendezvous, where `send` waits
   *   until a receiver takes the value.
   */
  constructor(capacity = 0) {
    if (
      typeof capacity !== 'number' ||
      !(Number.isInteger(capacity) || capacity === Infinity) ||
      capacity < 0
    ) {
      throw new InvalidOptionError('capacity', capacity, 'an integer ≥ 0 or Infinity');
    }
    this.#capacity = capacity;
    this.#buffer = new RingBuffer<T>(Math.min(capacity, 1024));
  }

  /** How many values the channel buffers (0: unbuffered). */
  get capacity(): number {
    return this.#capacity;
  }

  /** How many values are buffered now (waiting senders not counted, as in Go's `len`). */
  get length(): number {
    return this.#buffer.length;
  }

  /** Whether `close()` was called; buffered values may still be receivable. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends `value`. Resolves once it is in the buffer, or (unbuffered, or the buffer
   * full) once a receiver took it. Rejects with {@link ChannelClosedError} if the
   * channel is closed or closes while this waits; rejects with `signal.reason` on abort,
   * and then the value was not delivered.
   */
  send(value: T, options?: WaitOptions): Promise<void> {
    const signal = options === undefined ? undefined : optionalSignal(options);
    if (signal?.aborted) return rejectWith(signal.reason);
    if (this.#closed) return Promise.reject(new ChannelClosedError());
    if (this.#offer(value)) return RESOLVED;
    const promise = new Promise<void>(capture);
    this.#senders.push(
      new SendOperation(value, captured.resolve as () => void, captured.reject, signal),
    );
    return promise;
  }

  /**
   * Sends `value` if that needs no waiting (a receiver waits, or the buffer has room) and
   * returns `true`; otherwise returns `false` and sends nothing. Throws
   * {@link ChannelClosedError} on a closed channel.
   */
  trySend(value: T): boolean {
    if (this.#closed) throw new ChannelClosedError();
    return this.#offer(value);
  }

  /**
   * Receives the next value: `{ value, ok: true }`, or `{ value: undefined, ok: false }`
   * once the channel is closed and drained. Waits while there is nothing to take; rejects
   * with `signal.reason` on abort, and then nothing was consumed.
   */
  receive(options?: WaitOptions): Promise<ReceiveResult<T>> {
    const signal = options === undefined ? undefined : optionalSignal(options);
    if (signal?.aborted) return rejectWith(signal.reason);
    const value = this.#take();
    if (value !== EMPTY) return Promise.resolve({ value, ok: true });
    if (this.#closed) return RESOLVED_CLOSED;
    const promise = new Promise<ReceiveResult<T>>(capture);
    if (signal === undefined && this.#receivers.length === 0) {
      this.#parked.push(captured.resolve as Resolve<never>);
    } else {
      this.#receivers.push(
        new ReceiveOperation(captured.resolve as Resolve<T>, captured.reject, signal),
      );
    }
    return promise;
  }

  /**
   * Receives without waiting: the result `receive()` would give at once, or `undefined`
   * where `receive()` would wait.
   */
  tryReceive(): ReceiveResult<T> | undefined {
    const value = this.#take();
    if (value !== EMPTY) return { value, ok: true };
    return this.#closed ? CLOSED : undefined;
  }

  /**
   * Closes the channel: nothing more can be sent. Receivers drain what is buffered and
   * then get `ok: false`; senders still waiting reject with {@link ChannelClosedError}.
   * Throws {@link ChannelClosedError} if the channel is already closed.
   */
  close(): void {
    if (this.#closed) throw new ChannelClosedError('The channel is already closed');
    this.#closed = true;
    for (let p = this.#parked.shift(); p !== undefined; p = this.#parked.shift()) {
      wake(p as Resolve<T>, CLOSED, this.#wakeNow());
    }
    for (let r = this.#receivers.shift(); r !== null; r = this.#receivers.shift()) {
      r.receive(undefined, false, this.#wakeNow());
    }
    for (let s = this.#senders.shift(); s !== null; s = this.#senders.shift()) {
      s.fail(new ChannelClosedError('The channel closed while the send waited'));
    }
  }

  /** A receive case for {@link select}: ready when `receive()` would not wait. */
  onReceive(): ReceiveCase<T> {
    return (this.#receiveCase ??= new ReceiveCase(this));
  }

  /** A send case for {@link select}: ready when `send(value)` would not wait. */
  onSend(value: T): SendCase<T> {
    return new SendCase(this, value);
  }

  /**
   * Iterates over received values; ends once the channel is closed and drained. Leaving
   * the loop early (`break`, `return`, a throw) neither closes the channel nor loses a
   * value: a value is taken from the channel only when the loop asks for the next one.
   */
  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return {
      next: () => this.receive().then(toIteratorResult<T>),
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }

  /** Hands `value` to a waiting receiver or puts it in the buffer; `false` if it would wait. */
  #offer(value: T): boolean {
    const parked = this.#parked.shift();
    if (parked !== undefined) {
      wake(parked as Resolve<T>, { value, ok: true }, this.#wakeNow());
      return true;
    }
    const receiver = this.#receivers.shift();
    if (receiver !== null) {
      receiver.receive(value, true, this.#wakeNow());
      return true;
    }
    if (this.#buffer.length < this.#capacity) {
      this.#buffer.push(value);
      return true;
    }
    return false;
  }

  /**
   * Whether a receiver woken by a send is resolved at once rather than after the sender
   * runs on (see `woken` in channel-waiters.ts): when other receivers still wait, or there
   * is no buffer for the sender to fill.
   */
  #wakeNow(): boolean {
    return this.#capacity === 0 || this.#parked.length > 0 || this.#receivers.length > 0;
  }

  /** Takes the next value from the buffer or a waiting sender; `EMPTY` if it would wait. */
  #take(): T | typeof EMPTY {
    if (this.#buffer.length > 0) {
      const value = this.#buffer.shift() as T;
      // A freed slot goes to the oldest waiting sender, keeping the buffer full while they wait.
      const sender = this.#senders.shift();
      if (sender !== null) {
        this.#buffer.push(sender.value);
        sender.sent();
      }
      return value;
    }
    const sender = this.#senders.shift();
    if (sender !== null) {
      sender.sent();
      return sender.value;
    }
    return EMPTY;
  }
}

function toIteratorResult<T>(result: ReceiveResult<T>): IteratorResult<T, undefined> {
  return result.ok ? { value: result.value, done: false } : { value: undefined, done: true };
}
