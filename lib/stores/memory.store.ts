import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { AuthStore } from './auth-store.js';

interface Entry {
  value: string;
  expiresAt: number;
}

export interface MemoryStoreOptions {
  /** Hard bound on entries. Default 100 000. */
  readonly maxEntries?: number;
}

/**
 * The embedded default: state in this process only. Bounded: when full, expired entries go first,
 * then the entries closest to expiry (a Map keeps insertion order, so scanning is cheap).
 */
@Injectable()
export class MemoryStore extends AuthStore {
  private readonly entries = new Map<string, Entry>();
  readonly maxEntries: number;

  constructor(
    private readonly clock: Clock,
    options: MemoryStoreOptions = {},
  ) {
    super();
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.write(key, value, ttlMs);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.write(key, value, ttlMs);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return this.entries.delete(key);
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    const entry = this.live(key);
    if (entry) {
      entry.value = String(Number(entry.value) + 1);
      return Number(entry.value);
    }
    this.write(key, '1', ttlMs);
    return 1;
  }

  async compareAndSwap(key: string, expected: string | null, next: string | null, ttlMs: number): Promise<boolean> {
    const current = this.live(key)?.value ?? null;
    if (current !== expected) return false;
    if (next === null) this.entries.delete(key);
    else this.write(key, next, ttlMs);
    return true;
  }

  async ttl(key: string): Promise<number | null> {
    const entry = this.live(key);
    return entry ? entry.expiresAt - this.clock.now() : null;
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private write(key: string, value: string, ttlMs: number): void {
    if (!(ttlMs > 0)) throw new RangeError(`MemoryStore: ttlMs must be positive, got ${ttlMs}`);
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.evict();
    this.entries.set(key, { value, expiresAt: this.clock.now() + ttlMs });
  }

  /** Frees room: drop expired entries; if none, drop the oldest-inserted tenth. */
  private evict(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    if (this.entries.size < this.maxEntries) return;
    let toDrop = Math.max(1, Math.floor(this.maxEntries / 10));
    for (const key of this.entries.keys()) {
      this.entries.delete(key);
      if (--toDrop === 0) break;
    }
  }
}
