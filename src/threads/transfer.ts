/**
 * `transfer(value, list)`: what a handler returns to move buffers back to the main
 * side instead of copying them. The branded record is recognised by a global symbol,
 * so it works whichever copy of crew the handler module imported.
 */
import type { Transferable } from 'node:worker_threads';

const BRAND = Symbol.for('crew.transfer');

/** A handler's result together with the objects to move (not copy) to the main side. */
export interface TransferResult<T> {
  readonly [BRAND]: true;
  readonly value: T;
  readonly transferList: readonly Transferable[];
}

/**
 * Wraps a handler's result so that the listed objects (`ArrayBuffer`s, `MessagePort`s, ...)
 * are moved to the main side rather than copied. After the handler returns, the thread
 * no longer owns them. The caller receives `value` itself.
 *
 * @example
 * ```ts nocheck
 * import { transfer } from 'crew/threads';
 * export default (size: number) => {
 *   const bytes = new Uint8Array(size);
 *   return transfer(bytes, [bytes.buffer]);
 * };
 * ```
 */
export function transfer<T>(value: T, transferList: readonly Transferable[]): T {
  const wrapped: TransferResult<T> = { [BRAND]: true, value, transferList };
  // Typed as T so that a handler's declared result type stays what the caller receives.
  return wrapped as unknown as T;
}

/** Whether a handler's result was made by {@link transfer}. */
export function isTransferResult(value: unknown): value is TransferResult<unknown> {
  return typeof value === 'object' && value !== null && BRAND in value;
}
