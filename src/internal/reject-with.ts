/**
 * A promise rejected with `reason` as it is: an abort reason or a thrown value, which
 * JavaScript allows to be anything. crew never wraps these (aborts reject with
 * `signal.reason`, as the platform does; a function's error reaches the caller as thrown).
 */
export function rejectWith(reason: unknown): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- see above
  return Promise.reject(reason);
}
