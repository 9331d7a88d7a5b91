import type { Task } from '../pool/task.js';
import { appendCallerStack } from './serialize-error.js';

function ignore(): void {}

/**
 * Returns a promise that settles like `promise`; on failure, adds the awaiting caller's
 * frames to an error that came from a thread. The frames come from V8's async stack
 * traces, captured only when an error happens: the rejection handler runs in a reaction
 * job whose promise (the one returned here) is what the caller awaits, so V8 walks from
 * it to the caller's async frames.
 *
 * A queued `run()` keeps this wrapper alive until its task settles, so it is kept small:
 * one derived promise, one reaction and one closure (about 190 bytes; an async function
 * awaiting `promise` kept about 480). The closure is an anonymous arrow on purpose: a
 * named one is wrapped by a `keepNames` transform (tsx), which costs more than it does.
 *
 * Like every promise crew hands out, the returned one never causes an unhandled
 * rejection when ignored. It is marked handled only after the frames are captured:
 * V8 follows a promise's chain of awaits only while it has no other reaction.
 */
export function withCallerStack<R>(promise: Promise<R>): Promise<R> {
  let derived: Promise<R> | undefined = undefined;
  derived = promise.then(undefined, (error: unknown) => {
    appendCallerStack(error, callerFrames());
    void derived!.catch(ignore);
    throw error;
  });
  return derived;
}

/**
 * A {@link Task} handed out by `submit`/`trySubmit`, whose `result` adds the awaiting
 * caller's frames to a thread's error, as `run()` does (see {@link withCallerStack}). The
 * wrapper promise is made when `result` is first read, so that it is the one awaited.
 */
export class CallerStackTask<R> implements Task<R> {
  readonly #task: Task<R>;
  #result: Promise<R> | undefined = undefined;

  constructor(task: Task<R>) {
    this.#task = task;
  }

  get result(): Promise<R> {
    return (this.#result ??= withCallerStack(this.#task.result));
  }

  get attempts(): number {
    return this.#task.attempts;
  }

  get settled(): boolean {
    return this.#task.settled;
  }

  cancel(reason?: unknown): void {
    this.#task.cancel(reason);
  }
}

/**
 * The async frames of whoever awaits the promise whose reaction is running: the stack
 * captured here, less its header and the synchronous frames (the rejection handler and
 * this function; a reaction job has nothing below them).
 */
function callerFrames(): string {
  const here: { stack?: string } = {};
  Error.captureStackTrace(here, callerFrames);
  const lines = (here.stack ?? '').split('\n');
  let first = 1;
  while (first < lines.length && !lines[first]!.trimStart().startsWith('at async ')) first++;
  return lines.slice(first).join('\n');
}
