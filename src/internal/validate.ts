/**
 * Argument checks for the public boundary. Each throws `InvalidOptionError`
 * (`CREW_INVALID_OPTION`) with one message shape:
 * ``Expected `concurrency` to be an integer ≥ 1, got `0` (number)``.
 * Inside crew, checked values are trusted.
 */
import { InvalidOptionError } from '../errors.js';

/** An integer ≥ `min` (`Infinity` allowed when `allowInfinity`). */
export function checkInteger(
  name: string,
  value: unknown,
  min: number,
  allowInfinity = false,
): number {
  if (
    typeof value === 'number' &&
    (Number.isInteger(value) || (allowInfinity && value === Infinity)) &&
    value >= min
  ) {
    return value;
  }
  throw new InvalidOptionError(
    name,
    value,
    `an integer ≥ ${min}${allowInfinity ? ' or Infinity' : ''}`,
  );
}

/** A finite number ≥ `min` (fractions allowed). */
export function checkNumber(name: string, value: unknown, min: number): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min) return value;
  throw new InvalidOptionError(name, value, `a finite number ≥ ${min}`);
}

/** A finite number within `[min, max]`. */
export function checkRange(name: string, value: unknown, min: number, max: number): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max)
    return value;
  throw new InvalidOptionError(name, value, `a number from ${min} to ${max}`);
}

export function checkFunction<F extends (...args: never[]) => unknown>(
  name: string,
  value: unknown,
): F {
  if (typeof value === 'function') return value as F;
  throw new InvalidOptionError(name, value, 'a function');
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw new InvalidOptionError(name, value, 'a boolean');
}

export function checkObject(name: string, value: unknown): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return value as Record<string, unknown>;
  }
  throw new InvalidOptionError(name, value, 'an object');
}

export function checkSignal(name: string, value: unknown): AbortSignal {
  if (value instanceof AbortSignal) return value;
  throw new InvalidOptionError(name, value, 'an AbortSignal');
}

/** The optional `{ signal }` argument of a waiting operation. */
export function optionalSignal(
  options: { signal?: AbortSignal | undefined } | undefined,
): AbortSignal | undefined {
  if (options === undefined) return undefined;
  const opts = checkObject('options', options);
  return opts.signal === undefined ? undefined : checkSignal('signal', opts.signal);
}
