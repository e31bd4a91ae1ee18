import { AuthStore, type Clock, MemoryStore, StoreUnavailableError } from '../../lib/index.js';

/** A real `MemoryStore` that can be taken down and brought back, for fail-closed tests. */
export class SwitchableStore extends AuthStore {
  readonly inner: MemoryStore;
  down = false;

  constructor(clock: Clock) {
    super();
    this.inner = new MemoryStore(clock);
  }

  private check(): void {
    if (this.down) throw new StoreUnavailableError('store is down (test)');
  }

  async get(key: string) {
    this.check();
    return this.inner.get(key);
  }
  async set(key: string, value: string, ttlMs: number) {
    this.check();
    return this.inner.set(key, value, ttlMs);
  }
  async setIfAbsent(key: string, value: string, ttlMs: number) {
    this.check();
    return this.inner.setIfAbsent(key, value, ttlMs);
  }
  async delete(key: string) {
    this.check();
    return this.inner.delete(key);
  }
  async increment(key: string, ttlMs: number) {
    this.check();
    return this.inner.increment(key, ttlMs);
  }
  async compareAndSwap(key: string, expected: string | null, next: string | null, ttlMs: number) {
    this.check();
    return this.inner.compareAndSwap(key, expected, next, ttlMs);
  }
  async ttl(key: string) {
    this.check();
    return this.inner.ttl(key);
  }
}
