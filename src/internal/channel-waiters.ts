/**
 * The records a channel keeps for operations that wait: a receiver waiting for a value
 * and a sender waiting for room or a receiver. A plain `send()`/`receive()` and each
 * case of a waiting `select()` implement these; the channel only ever shifts a record
 * off its queue and then calls exactly one of its methods, once.
 */
import { Operation } from './operation.js';
import type { WaiterNode } from './waiter-queue.js';

/** The result of a receive: a value, or `ok: false` once the channel is closed and drained. */
export type ReceiveResult<T> = { value: T; ok: true } | { value: undefined; ok: false };

/** The one `ok: false` result; frozen, so it can be shared. */
export const CLOSED: ReceiveResult<never> = Object.freeze({ value: undefined, ok: false });

export interface Receiver<T> extends WaiterNode {
  /** The channel has unlinked this waiter and hands it a value (`ok`) or reports it closed and drained. */
  receive(value: T | undefined, ok: boolean): void;
}

export interface Sender<T> extends WaiterNode {
  readonly value: T;
  /** The channel has unlinked this waiter and taken its value. */
  sent(): void;
  /** The channel closed while this waiter waited; the value was not delivered. */
  fail(error: Error): void;
}

export class ReceiveOperation<T> extends Operation implements Receiver<T> {
  readonly #resolve: (result: ReceiveResult<T>) => void;

  constructor(
    resolve: (result: ReceiveResult<T>) => void,
    reject: (reason: unknown) => void,
    signal: AbortSignal | undefined,
  ) {
    super(reject, signal);
    this.#resolve = resolve;
  }

  receive(value: T | undefined, ok: boolean): void {
    this.release();
    this.#resolve(ok ? { value: value as T, ok: true } : CLOSED);
  }
}

export class SendOperation<T> extends Operation implements Sender<T> {
  readonly value: T;
  readonly #resolve: () => void;

  constructor(
    value: T,
    resolve: () => void,
    reject: (reason: unknown) => void,
    signal: AbortSignal | undefined,
  ) {
    super(reject, signal);
    this.value = value;
    this.#resolve = resolve;
  }

  sent(): void {
    this.release();
    this.#resolve();
  }

  fail(error: Error): void {
    this.release();
    this.reject(error);
  }
}
