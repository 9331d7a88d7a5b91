import { appendCallerStack } from './serialize-error.js';

function ignore(): void {}

/**
 * How a ThreadPool task's promise rejects (`PoolExtension.rejectTask`): an error that came
 * from a thread gets the awaiting caller's frames added. The frames come from V8's async
 * stack traces, captured only when an error happens, in a reaction whose chain of promises
 * leads to the task's promise and from there to whoever awaits it: the task's promise is
 * resolved with `chain`, a promise derived from a pending one that is rejected only after
 * that (so the reaction runs once the task's promise has adopted `chain`).
 *
 * Nothing of this exists until a task fails: a successful task, or one still queued, costs
 * no wrapper (a wrapper promise per `run()`, as before, kept about 190 bytes per queued task
 * alive and cost a microtask per result).
 *
 * Like every promise crew hands out, the task's never causes an unhandled rejection when
 * ignored. It is marked handled only after the frames are captured: V8 follows a promise's
 * chain of awaits only while it has no other reaction.
 */
export function rejectWithCallerStack(
  promise: Promise<unknown>,
  resolve: (value: unknown) => void,
  error: unknown,
): void {
  let fail!: (reason: unknown) => void;
  const pending = new Promise<never>((_, reject) => (fail = reject));
  const chain = pending.then(undefined, (thrown: unknown) => {
    appendCallerStack(thrown, callerFrames());
    void promise.catch(ignore);
    throw thrown;
  });
  resolve(chain);
  fail(error);
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
