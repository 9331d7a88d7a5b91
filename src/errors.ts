import { brand } from './internal/brand.js';
import { describe } from './internal/describe.js';

/**
 * Every error crew raises extends {@link CrewError} and carries a stable `code`.
 * Test and branch on `code` (or the class), never on message text.
 */

/** The codes crew's errors carry; stable across versions. */
export type CrewErrorCode =
  | 'CREW_INVALID_OPTION'
  | 'CREW_CHANNEL_CLOSED'
  | 'CREW_POOL_CLOSED'
  | 'CREW_TASK_TIMEOUT'
  | 'CREW_THREAD_CRASHED'
  | 'CREW_NEGATIVE_COUNTER'
  | 'CREW_SEMAPHORE_WEIGHT'
  | 'CREW_MODULE_INVALID'
  | 'CREW_CLI_USAGE'
  | 'CREW_COMMAND_FAILED'
  | 'CREW_CLI_STOPPED'
  | 'CREW_CLI_INTERRUPTED';

/**
 * The brand of crew's errors: a registered symbol, the same in every copy of crew, so that
 * `instanceof` also recognises an error from the other copy when a process loads both the
 * ESM and the CommonJS build (one dependency imports crew, another requires it).
 */
const kCrewError = Symbol.for('crew.CrewError');

/** The base class of every error crew raises. */
export class CrewError extends Error {
  /** The code of every error of this class; `undefined` on `CrewError` itself (any code). */
  static readonly code: CrewErrorCode | undefined = undefined;

  /**
   * `error instanceof X`: an instance of X from this copy of crew, or a crew error from
   * another copy whose `code` is X's (any crew error for `CrewError`).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (brand(value, kCrewError) !== true) return false;
    const code = (this as { readonly code?: CrewErrorCode }).code;
    return code === undefined || (value as CrewError).code === code;
  }

  /** A stable, machine-readable code, e.g. `CREW_POOL_CLOSED`. */
  readonly code: CrewErrorCode;

  constructor(code: CrewErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  override get name(): string {
    return this.constructor.name;
  }
}
Object.defineProperty(CrewError.prototype, kCrewError, { value: true });

/** Bad input: an option or argument outside what crew accepts. The message names the option, the value and what is expected. */
export class InvalidOptionError extends CrewError {
  static override readonly code: CrewErrorCode = 'CREW_INVALID_OPTION';

  /** The name of the option or argument, e.g. `concurrency`. */
  readonly option: string;
  /** The value that was given. */
  readonly value: unknown;

  constructor(option: string, value: unknown, expected: string) {
    super(
      'CREW_INVALID_OPTION',
      `Expected \`${option}\` to be ${expected}, got ${describe(value)}`,
    );
    this.option = option;
    this.value = value;
  }
}

/** The error for an option key that does not exist; `known` lists the keys that do. */
export function unknownOption(
  name: string,
  value: unknown,
  known: Iterable<string>,
): InvalidOptionError {
  return new InvalidOptionError(name, value, `one of the known options (${[...known].join(', ')})`);
}

/** A send or close on a closed channel, or a send still waiting when its channel closed. */
export class ChannelClosedError extends CrewError {
  static override readonly code: CrewErrorCode = 'CREW_CHANNEL_CLOSED';

  constructor(message = 'The channel is closed') {
    super('CREW_CHANNEL_CLOSED', message);
  }
}

/** A job handed to a pool that no longer accepts work (after `close()` or `abort()`). */
export class PoolClosedError extends CrewError {
  static override readonly code: CrewErrorCode = 'CREW_POOL_CLOSED';

  constructor(message = 'The pool is closed and accepts no more jobs') {
    super('CREW_POOL_CLOSED', message);
  }
}

/** An attempt that ran past its `timeout`; it is the reason `ctx.signal` aborts with. */
export class TaskTimeoutError extends CrewError {
  static override readonly code: CrewErrorCode = 'CREW_TASK_TIMEOUT';

  /** The timeout that elapsed, in milliseconds. */
  readonly timeout: number;

  constructor(timeout: number) {
    super('CREW_TASK_TIMEOUT', `The task timed out after ${timeout} ms`);
    this.timeout = timeout;
  }
}

/** A thread that died while running a task: an uncaught error, `process.exit()`, or out of memory. The exit code or error is in `cause`. */
export class ThreadCrashError extends CrewError {
  static override readonly code: CrewErrorCode = 'CREW_THREAD_CRASHED';

  constructor(message: string, options?: { cause?: unknown }) {
    super('CREW_THREAD_CRASHED', message, options);
  }
}

/** A `WaitGroup` counter that would drop below zero: more `done()` (or negative `add()`) than `add()`. */
export class NegativeCounterError extends CrewError {
  static override readonly code: CrewErrorCode = 'CREW_NEGATIVE_COUNTER';

  constructor(message = 'The WaitGroup counter would drop below zero') {
    super('CREW_NEGATIVE_COUNTER', message);
  }
}

/** A `Semaphore` released by more weight than is held. */
export class SemaphoreWeightError extends CrewError {
  static override readonly code: CrewErrorCode = 'CREW_SEMAPHORE_WEIGHT';

  constructor(message = 'The semaphore was released by more weight than is held') {
    super('CREW_SEMAPHORE_WEIGHT', message);
  }
}

/** A ThreadPool's handler module that cannot be used: it failed to load, or its default export is not a function. The load error, if any, is in `cause`. */
export class InvalidModuleError extends CrewError {
  static override readonly code: CrewErrorCode = 'CREW_MODULE_INVALID';

  /** The module, as a `file:` URL. */
  readonly module: string;

  constructor(module: string, message: string, options?: { cause?: unknown }) {
    super('CREW_MODULE_INVALID', message, options);
    this.module = module;
  }
}
