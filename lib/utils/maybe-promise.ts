/** A value or a promise of it: the guard stays synchronous when every step answers synchronously. */
export type MaybePromise<T> = T | Promise<T>;

/** Whether `value` is a promise (a thenable), without allocating one. */
export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | null)?.then === 'function';
}
