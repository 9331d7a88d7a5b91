import { appendCallerStack } from './serialize-error.js';

function ignore(): void {}

/**
 * Awaits `promise`; on failure, adds the awaiting caller's frames to an error that came
 * from a thread. The frames come from V8's async stack traces, captured only when an
 * error happens, so a successful run costs one extra promise and no stack capture.
 *
 * Like every promise crew hands out, the returned one never causes an unhandled
 * rejection when ignored. It is marked handled only after the frames are captured:
 * V8 follows a promise's chain of awaits only while it has no other reaction.
 */
export function withCallerStack<R>(promise: Promise<R>): Promise<R> {
  const outer: { promise: Promise<R> | undefined } = { promise: undefined };
  outer.promise = awaitWithCallerStack(promise, outer);
  return outer.promise;
}

async function awaitWithCallerStack<R>(
  promise: Promise<R>,
  outer: { promise: Promise<R> | undefined },
): Promise<R> {
  try {
    return await promise;
  } catch (error) {
    const here: { stack?: string } = {};
    Error.captureStackTrace(here, awaitWithCallerStack);
    const stack = here.stack ?? '';
    const newline = stack.indexOf('\n');
    appendCallerStack(error, newline < 0 ? '' : stack.slice(newline + 1));
    outer.promise?.catch(ignore);
    throw error;
  }
}
