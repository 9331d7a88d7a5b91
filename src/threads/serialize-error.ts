/**
 * Errors across the thread boundary. Structured clone keeps little of an error (no
 * own properties, no `code`, a lost class for anything but built-ins), so errors travel
 * as plain records and are rebuilt on the other side with their `name`, `message`,
 * `stack`, `code`, `cause` (recursively) and own enumerable properties.
 *
 * Class identity: built-in errors (TypeError, RangeError, ...), `DOMException` (e.g. an
 * `AbortError`) and crew's own errors come back as instances of the same class. A user's
 * class cannot cross a thread: it comes back as an `Error` whose `name` is the class name,
 * with every property it had.
 *
 * A thrown value that is not an error (a string, a plain object) travels as it is.
 */
import {
  ChannelClosedError,
  CrewError,
  InvalidModuleError,
  InvalidOptionError,
  PoolClosedError,
  TaskTimeoutError,
  ThreadCrashError,
} from '../errors.js';

const MARK = '__crewSerializedError';
const MAX_DEPTH = 8;

export interface SerializedError {
  [MARK]: 1;
  name: string;
  message: string;
  stack: string | undefined;
  /** The class to rebuild, when it is one both sides know. */
  kind: string | undefined;
  props: Record<string, unknown>;
  hasCause: boolean;
  cause: unknown;
  /** AggregateError's `errors`. */
  errors: unknown[] | undefined;
}

type ErrorClass = abstract new (...args: never[]) => Error;

const known: Record<string, ErrorClass> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
  CrewError,
  InvalidOptionError,
  InvalidModuleError,
  ChannelClosedError,
  PoolClosedError,
  TaskTimeoutError,
  ThreadCrashError,
};

function kindOf(error: Error): string | undefined {
  if (error instanceof DOMException) return 'DOMException';
  const proto: unknown = Object.getPrototypeOf(error);
  for (const [name, cls] of Object.entries(known)) {
    if (cls.prototype === proto) return name;
  }
  return undefined;
}

/** Turns a thrown value into something `postMessage` can carry; see the file comment. */
export function serializeError(value: unknown, depth = 0): unknown {
  if (!(value instanceof Error)) return cloneable(value) ? value : String(value);
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === 'stack' || key === 'message' || key === 'cause') continue;
    const prop = (value as unknown as Record<string, unknown>)[key];
    if (cloneable(prop)) props[key] = prop;
  }
  const hasCause = 'cause' in value && depth < MAX_DEPTH;
  return {
    [MARK]: 1,
    name: value.name,
    message: value.message,
    stack: value.stack,
    kind: kindOf(value),
    props,
    hasCause,
    cause: hasCause ? serializeError(value.cause, depth + 1) : undefined,
    errors:
      value instanceof AggregateError && depth < MAX_DEPTH
        ? (value.errors as unknown[]).map((e) => serializeError(e, depth + 1))
        : undefined,
  } satisfies SerializedError;
}

/** Marks errors rebuilt from a thread, so that the caller's stack can be added to them. */
const kFromThread = Symbol('crew.fromThread');

/** Rebuilds what {@link serializeError} made; any other value is returned as it is. */
export function deserializeError(value: unknown): unknown {
  return isSerialized(value) ? rebuild(value) : value;
}

/**
 * Appends the caller's stack frames to an error that came from a thread, after a marker
 * line, so that both where it failed (in the thread) and who asked (on the main side)
 * are visible. `frames` is a stack without its first (message) line. Other values are
 * left alone; so is an error that already has a caller's stack (a retry rethrows it).
 */
export function appendCallerStack(error: unknown, frames: string): void {
  if (typeof error !== 'object' || error === null || !(kFromThread in error)) return;
  const own = error as Error & { [kFromThread]: boolean };
  if (own[kFromThread] || frames === '') return;
  own[kFromThread] = true;
  define(own, 'stack', `${own.stack ?? ''}\n    --- awaited from ---\n${frames}`);
}

function rebuild(data: SerializedError): unknown {
  let error: Error;
  if (data.kind === 'DOMException') {
    error = new DOMException(data.message, data.name);
  } else {
    const cls = data.kind === undefined ? Error : (known[data.kind] ?? Error);
    error = Object.create(cls.prototype as object) as Error;
    define(error, 'message', data.message);
    if (data.kind === undefined || error.name !== data.name) define(error, 'name', data.name);
  }
  define(error, 'stack', data.stack);
  define(error, kFromThread, false);
  if (data.hasCause) define(error, 'cause', deserializeError(data.cause));
  if (data.errors !== undefined) {
    define(
      error,
      'errors',
      data.errors.map((e) => deserializeError(e)),
    );
  }
  for (const [key, prop] of Object.entries(data.props)) {
    if (key === 'name' && data.kind !== 'DOMException') continue;
    try {
      (error as unknown as Record<string, unknown>)[key] = prop;
    } catch {
      // A read-only property on the rebuilt class (e.g. DOMException's `code`) keeps its own value.
    }
  }
  return error;
}

function isSerialized(value: unknown): value is SerializedError {
  return typeof value === 'object' && value !== null && MARK in value;
}

/** Writes a property the way Error's own fields are: non-enumerable, writable. */
function define(target: object, key: string | symbol, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

function cloneable(value: unknown): boolean {
  if (value === null) return true;
  const type = typeof value;
  if (type === 'function' || type === 'symbol') return false;
  if (type !== 'object') return true;
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}
