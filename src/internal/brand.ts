/**
 * Brands: what crew checks instead of `instanceof` where a value may come from the other copy
 * of crew (a process that loads both the ESM and the CommonJS build). Each brand is a
 * registered symbol (`Symbol.for`), the same in every copy.
 */

/** The value `value` holds under the brand `key`, or `undefined` when `value` is not an object. */
export function brand(value: unknown, key: symbol): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<symbol, unknown>)[key]
    : undefined;
}
