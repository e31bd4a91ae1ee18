import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { AuthStore, normalizeTtl, StoreUnavailableError } from './auth-store.js';

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * Keys whose loss would reopen access (a lockout, a revocation) live in a protected namespace:
 * nothing outside the namespace can evict them, and the namespace has its own bound.
 */
export interface ProtectedNamespace {
  /** Key prefix, e.g. `login:lock:`. The first namespace whose prefix matches a key owns it. */
  readonly prefix: string;
  /** Bound on the namespace's entries. Default: `share` of the store's `maxEntries`. */
  readonly maxEntries?: number;
  /** Fraction of the store's `maxEntries` reserved when `maxEntries` is not given. Default 0.2. */
  readonly share?: number;
  /**
   * What a new key does when the namespace is full of live entries:
   * `'evict-soonest'` replaces the namespace's entry closest to its expiry (lockouts: each costs an
   * attacker `accountThreshold` password hashes, so the bound is out of reach in practice);
   * `'refuse'` rejects the write with `StoreUnavailableError`, so that request fails closed (503)
   * and nothing already stored is lost;
   * `'overflow'` keeps everything and takes the room from unprotected entries, as any other key
   * would: the namespace's bound is then a reservation, not a cap (revocations and single-use
   * markers, whose writers are bounded per principal: a full namespace must never refuse one
   * user's revocation because of another's). Refused only when nothing unprotected is left.
   */
  readonly whenFull: 'evict-soonest' | 'refuse' | 'overflow';
}

/**
 * What survives any flood of other keys: password lockouts (`login:lock:acct:*`,
 * `login:lock:addr:*`), second-factor attempt counters, the single-use markers that stop a TOTP
 * code from being replayed and the per-user lock of a recovery-code use, revocations, and
 * rate-limit budgets (kept apart so that many callers cannot evict anything else).
 *
 * Revocations and markers overflow rather than refuse: what one principal writes there is bounded
 * (one revocation record per user, a few TOTP markers and one recovery lock per user), so only many
 * principals can go past the reservation, and they then take room from unprotected entries.
 */
export const DEFAULT_PROTECTED_NAMESPACES: readonly ProtectedNamespace[] = Object.freeze([
  Object.freeze({ prefix: 'login:lock:', share: 0.2, whenFull: 'evict-soonest' as const }),
  Object.freeze({ prefix: 'mfa:lock:', share: 0.05, whenFull: 'evict-soonest' as const }),
  Object.freeze({ prefix: 'mfa:totp-used:', share: 0.05, whenFull: 'overflow' as const }),
  Object.freeze({ prefix: 'mfa:recovery-used:', share: 0.01, whenFull: 'overflow' as const }),
  // Revocations, one record per user: evicting one would accept a revoked token again.
  Object.freeze({ prefix: 'tokens:deny:', share: 0.1, whenFull: 'overflow' as const }),
  // Rate-limit budgets of nest-warden/throttling: a flood of callers competes only with itself.
  Object.freeze({ prefix: 'throttle:', share: 0.1, whenFull: 'evict-soonest' as const }),
  // DPoP replay records and per-key budgets (RFC 9449): busy DPoP traffic competes only with itself,
  // never evicts sessions or refresh tokens; when full, the oldest proof's record (nearest the end
  // of its window) goes first.
  Object.freeze({ prefix: 'dpop:', share: 0.15, whenFull: 'evict-soonest' as const }),
]);

export interface MemoryStoreOptions {
  /** Hard bound on all entries, protected ones included. Default 100 000. */
  readonly maxEntries?: number;
  /**
   * Default {@link MemoryStore.defaultProtectedNamespaces}; pass your own list (spread the defaults into it
   * to keep them). Their bounds must add up to less than `maxEntries`.
   */
  readonly protectedNamespaces?: readonly ProtectedNamespace[];
}

interface Namespace {
  readonly prefix: string;
  readonly maxEntries: number;
  readonly whenFull: ProtectedNamespace['whenFull'];
  readonly entries: Map<string, Entry>;
}

interface Located {
  readonly map: Map<string, Entry>;
  readonly entry: Entry;
}

/**
 * The embedded default: state in this process only, bounded so that no flood can grow it.
 *
 * When the store is full, room is made in this order, and never from a protected namespace:
 * 1. counters still at 1 (what a flood of distinct usernames or addresses creates), oldest first;
 * 2. every other unprotected entry (counters above 1, sessions, refresh tokens), least recently
 *    written first.
 * Expired entries are dropped when read, and swept in bulk at most once per tenth of `maxEntries`
 * insertions while the store is full. Time comes from the injected `Clock`.
 */
@Injectable()
export class MemoryStore extends AuthStore {
  /** The protected namespaces every MemoryStore has unless `protectedNamespaces` says otherwise: spread them into your list. */
  static readonly defaultProtectedNamespaces: readonly ProtectedNamespace[] = DEFAULT_PROTECTED_NAMESPACES;

  readonly maxEntries: number;
  private readonly singles = new Map<string, Entry>();
  private readonly churn = new Map<string, Entry>();
  private readonly namespaces: readonly Namespace[];
  private readonly evictionBatch: number;
  private readonly sweepInterval: number;
  private insertsSinceSweep = 0;

  constructor(
    private readonly clock: Clock,
    options: MemoryStoreOptions = {},
  ) {
    super();
    const maxEntries = options.maxEntries ?? 100_000;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 2) {
      throw AuthConfigurationError.create(
        `MemoryStore maxEntries must be an integer of at least 2, got ${String(maxEntries)}.`,
        'Pass e.g. new MemoryStore(clock, { maxEntries: 100_000 }).',
      );
    }
    this.maxEntries = maxEntries;
    this.namespaces = (options.protectedNamespaces ?? DEFAULT_PROTECTED_NAMESPACES).map((ns) =>
      this.toNamespace(ns, maxEntries),
    );
    const reserved = this.namespaces.reduce((sum, ns) => sum + ns.maxEntries, 0);
    if (reserved >= maxEntries) {
      throw AuthConfigurationError.create(
        `MemoryStore protected namespaces reserve ${reserved} entries of ${maxEntries}; nothing would be left for the rest.`,
        'Give protected namespaces smaller maxEntries or raise the store maxEntries.',
      );
    }
    this.evictionBatch = Math.max(1, Math.floor(maxEntries / 100));
    this.sweepInterval = Math.max(1, Math.floor(maxEntries / 10));
  }

  /** Entries held, expired ones not yet dropped included; never more than `maxEntries`. */
  get size(): number {
    let size = this.singles.size + this.churn.size;
    for (const ns of this.namespaces) size += ns.entries.size;
    return size;
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.entry.value ?? null;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.put(key, value, normalizeTtl(ttlMs), false);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const ttl = normalizeTtl(ttlMs);
    if (this.live(key)) return false;
    this.put(key, value, ttl, false);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const found = this.live(key);
    return found ? found.map.delete(key) : false;
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    const ttl = normalizeTtl(ttlMs);
    const found = this.live(key);
    if (!found) {
      this.put(key, '1', ttl, true);
      return 1;
    }
    if (!/^-?\d+$/.test(found.entry.value)) {
      throw new TypeError('MemoryStore: increment on a key that holds a non-integer value');
    }
    const count = Number(found.entry.value) + 1;
    found.entry.value = String(count);
    if (found.map === this.singles || found.map === this.churn) {
      // A counter hit more than once is no longer flood-shaped; it moves to the end of the churn.
      found.map.delete(key);
      this.churn.set(key, found.entry);
    }
    return count;
  }

  async compareAndSwap(key: string, expected: string | null, next: string | null, ttlMs: number): Promise<boolean> {
    const ttl = normalizeTtl(ttlMs);
    const found = this.live(key);
    if ((found?.entry.value ?? null) !== expected) return false;
    if (next === null) found?.map.delete(key);
    else this.put(key, next, ttl, false);
    return true;
  }

  async ttl(key: string): Promise<number | null> {
    const found = this.live(key);
    return found ? found.entry.expiresAt - this.clock.now() : null;
  }

  override async close(): Promise<void> {
    this.singles.clear();
    this.churn.clear();
    for (const ns of this.namespaces) ns.entries.clear();
  }

  private toNamespace(ns: ProtectedNamespace, storeMax: number): Namespace {
    const share = ns.share ?? 0.2;
    if (!(share > 0 && share < 1)) {
      throw AuthConfigurationError.create(
        `MemoryStore protected namespace "${ns.prefix}" has share ${String(ns.share)}.`,
        'Use a fraction between 0 and 1, e.g. 0.05.',
      );
    }
    const maxEntries = ns.maxEntries ?? Math.max(1, Math.floor(storeMax * share));
    if (typeof ns.prefix !== 'string' || ns.prefix === '') {
      throw AuthConfigurationError.create('a MemoryStore protected namespace has an empty prefix.', 'Give it a prefix such as "login:lock:".');
    }
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw AuthConfigurationError.create(
        `MemoryStore protected namespace "${ns.prefix}" has maxEntries ${String(maxEntries)}.`,
        'Use a positive integer.',
      );
    }
    if (ns.whenFull !== 'evict-soonest' && ns.whenFull !== 'refuse' && ns.whenFull !== 'overflow') {
      throw AuthConfigurationError.create(
        `MemoryStore protected namespace "${ns.prefix}" has whenFull ${JSON.stringify(ns.whenFull)}.`,
        'Use "evict-soonest", "refuse" or "overflow".',
      );
    }
    return { prefix: ns.prefix, maxEntries, whenFull: ns.whenFull, entries: new Map() };
  }

  private namespaceOf(key: string): Namespace | undefined {
    for (const ns of this.namespaces) if (key.startsWith(ns.prefix)) return ns;
    return undefined;
  }

  /** The entry and the map holding it, expired or not. */
  private locate(key: string): Located | undefined {
    const ns = this.namespaceOf(key);
    const first = ns ? ns.entries : this.singles;
    const entry = first.get(key);
    if (entry) return { map: first, entry };
    const churned = ns ? undefined : this.churn.get(key);
    return churned ? { map: this.churn, entry: churned } : undefined;
  }

  /** The entry if it has not expired; an expired one is dropped on the way. */
  private live(key: string): Located | undefined {
    const found = this.locate(key);
    if (!found) return undefined;
    if (found.entry.expiresAt <= this.clock.now()) {
      found.map.delete(key);
      return undefined;
    }
    return found;
  }

  private put(key: string, value: string, ttlMs: number, counter: boolean): void {
    const now = this.clock.now();
    const ns = this.namespaceOf(key);
    const existing = this.locate(key);
    if (existing) existing.map.delete(key);
    else this.makeRoom(ns, now);
    const target = ns ? ns.entries : counter ? this.singles : this.churn;
    target.set(key, { value, expiresAt: now + ttlMs });
  }

  /** Room for one new key; throws (and changes nothing) when a `refuse` namespace is full. */
  private makeRoom(ns: Namespace | undefined, now: number): void {
    if (ns && ns.entries.size >= ns.maxEntries) this.makeRoomInNamespace(ns, now);
    this.insertsSinceSweep++;
    if (this.size < this.maxEntries) return;
    if (this.insertsSinceSweep >= this.sweepInterval) {
      this.insertsSinceSweep = 0;
      for (const map of this.allMaps()) dropExpired(map, now);
      if (this.size < this.maxEntries) return;
    }
    // Unprotected entries make the room; only overflowing namespaces can have left none of them.
    let toDrop = this.evictionBatch;
    for (const map of [this.singles, this.churn]) {
      for (const key of map.keys()) {
        map.delete(key);
        if (--toDrop === 0) return;
      }
    }
    if (this.size >= this.maxEntries) {
      this.insertsSinceSweep--;
      throw new StoreUnavailableError(`MemoryStore: full (${this.maxEntries} live protected entries)`);
    }
  }

  private makeRoomInNamespace(ns: Namespace, now: number): void {
    // An overflowing namespace grows into the shared room; its expired entries go with the store's sweeps.
    if (ns.whenFull === 'overflow') return;
    dropExpired(ns.entries, now);
    if (ns.entries.size < ns.maxEntries) return;
    if (ns.whenFull === 'refuse') {
      throw new StoreUnavailableError(`MemoryStore: protected namespace "${ns.prefix}" is full (${ns.maxEntries} live entries)`);
    }
    let soonestKey: string | undefined;
    let soonest = Infinity;
    for (const [key, entry] of ns.entries) {
      if (entry.expiresAt < soonest) {
        soonest = entry.expiresAt;
        soonestKey = key;
      }
    }
    if (soonestKey !== undefined) ns.entries.delete(soonestKey);
  }

  private allMaps(): Map<string, Entry>[] {
    return [this.singles, this.churn, ...this.namespaces.map((ns) => ns.entries)];
  }
}

function dropExpired(map: Map<string, Entry>, now: number): void {
  for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
}
