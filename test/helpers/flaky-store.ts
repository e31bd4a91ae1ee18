import { type Clock, MemoryStore, StoreUnavailableError } from '../../lib/index.js';

/** A `MemoryStore` that can be switched off, as a Redis outage looks to its callers. */
export class FlakyStore extends MemoryStore {
  down = false;

  constructor(clock: Clock) {
    super(clock);
  }

  override get(key: string) {
    return this.guard(() => super.get(key));
  }
  override set(key: string, value: string, ttlMs: number) {
    return this.guard(() => super.set(key, value, ttlMs));
  }
  override setIfAbsent(key: string, value: string, ttlMs: number) {
    return this.guard(() => super.setIfAbsent(key, value, ttlMs));
  }
  override delete(key: string) {
    return this.guard(() => super.delete(key));
  }
  override increment(key: string, ttlMs: number) {
    return this.guard(() => super.increment(key, ttlMs));
  }
  override compareAndSwap(key: string, expected: string | null, next: string | null, ttlMs: number) {
    return this.guard(() => super.compareAndSwap(key, expected, next, ttlMs));
  }
  override ttl(key: string) {
    return this.guard(() => super.ttl(key));
  }

  private guard<T>(work: () => Promise<T>): Promise<T> {
    return this.down ? Promise.reject(new StoreUnavailableError('store offline (test)')) : work();
  }
}
