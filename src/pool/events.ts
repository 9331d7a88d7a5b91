/**
 * The events a Pool emits, and a small typed emitter. A listener runs synchronously,
 * where the event happens; one that throws (or returns a rejected promise) never breaks the
 * pool: its error is reported with `process.emitWarning` and the other listeners still run.
 * Payloads are built only when someone listens, so an unobserved event costs nothing.
 */

/** Event name → payload. */
export interface PoolEvents<J = unknown, R = unknown> {
  /** An attempt started (`attempt` is 1-based). */
  started: { job: J; attempt: number };
  /** An attempt failed and another will start after `delay` ms. */
  retried: { job: J; attempt: number; error: unknown; delay: number };
  /** A task settled with a value after `attempts` attempts. */
  succeeded: { job: J; value: R; attempts: number };
  /** A task settled with the error of its last attempt. */
  failed: { job: J; error: unknown; attempts: number };
  /** A task was cancelled (its signal, `task.cancel()`, `abort()`); `reason` is what it rejects with. */
  cancelled: { job: J; reason: unknown; attempts: number };
  /** The pool became idle: nothing queued, running or waiting to retry. */
  idle: undefined;
}

export type PoolEventListener<T> = (payload: T) => void;

/** A typed emitter; `has(name)` lets the emitter's owner skip building unobserved payloads. */
export class Emitter<Events extends object> {
  #listeners: { [K in keyof Events]?: PoolEventListener<Events[K]>[] | undefined };
  /** Listeners registered in all; lets `has` answer the common case (none) at once. */
  #total = 0;

  /** `names`: every event name, so that the listener table keeps one shape (a fast `has`). */
  constructor(names: readonly (keyof Events)[]) {
    const table: { [K in keyof Events]?: PoolEventListener<Events[K]>[] | undefined } = {};
    for (const name of names) table[name] = undefined;
    this.#listeners = table;
  }

  /** Adds a listener and returns a function that removes it. */
  on<K extends keyof Events>(name: K, listener: PoolEventListener<Events[K]>): () => void {
    const list = this.#listeners[name];
    // Copy on write: emit() iterates the array it read, unaffected by changes meanwhile.
    this.#listeners[name] = list === undefined ? [listener] : [...list, listener];
    this.#total++;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.off(name, listener);
    };
  }

  /** Adds a listener that is removed after its first call. */
  once<K extends keyof Events>(name: K, listener: PoolEventListener<Events[K]>): () => void {
    const off = this.on(name, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  /** Removes a listener (one registration of it); no-op if absent. */
  off<K extends keyof Events>(name: K, listener: PoolEventListener<Events[K]>): void {
    const list = this.#listeners[name];
    if (list === undefined) return;
    const index = list.indexOf(listener);
    if (index < 0) return;
    const next = [...list.slice(0, index), ...list.slice(index + 1)];
    this.#listeners[name] = next.length === 0 ? undefined : next;
    this.#total--;
  }

  has(name: keyof Events): boolean {
    return this.#total !== 0 && this.#listeners[name] !== undefined;
  }

  emit<K extends keyof Events>(name: K, payload: Events[K]): void {
    const list = this.#listeners[name];
    if (list === undefined) return;
    for (const listener of list) {
      try {
        const returned = listener(payload) as unknown;
        if (returned instanceof Promise) returned.catch(warn);
      } catch (error) {
        warn(error);
      }
    }
  }
}

function warn(error: unknown): void {
  process.emitWarning(
    error instanceof Error ? error : new Error(String(error)),
    'CrewListenerWarning',
  );
}
