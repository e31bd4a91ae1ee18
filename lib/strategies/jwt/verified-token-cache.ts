import { AuthConfigurationError } from '../../errors/configuration.error.js';
import type { Principal } from '../../principal/principal.js';
import type { JwtStrategyOptions } from './jwt.options.js';
import type { KeyStamp, KeyStamps } from './key-stamps.js';

const DEFAULT_CACHE_SIZE = 10_000;

/** Token text the cache may hold on average per entry; with the entry cap it bounds memory. */
const CHARS_PER_ENTRY = 2048;

interface Entry {
  readonly principal: Principal;
  /** `exp` and `nbf` as the token says, in seconds. */
  readonly exp: number;
  readonly nbf: number | undefined;
  readonly stamp: KeyStamp;
  /** `ticks` when the entry was last put at the recent end of the order. */
  touched: number;
}

/** What the cache shows of itself (tests and metrics); never the tokens. */
export interface VerifiedTokenCacheView {
  readonly size: number;
  has(token: string): boolean;
}

/**
 * Tokens that passed full verification, so that the same token sent again is answered without
 * another signature check, synchronously. It cannot weaken verification:
 * - an entry is used only while the token is valid by the clock of this request, with the same
 *   tolerance and comparisons as jose (`exp <= now - tolerance` is expired, `nbf > now + tolerance`
 *   is not yet valid), and only while the key that verified it is still in the key set;
 * - only verified tokens get in, so junk cannot evict anything;
 * - it holds at most `maxEntries` entries and `maxEntries × 2 KiB` of token text (the least
 *   recently used go first), whatever clients send.
 * Per-request checks (revocation) are not its business: the strategy runs them on hits too.
 *
 * Keyed by the token itself: a hit is an exact match of the whole string, with no hash per
 * request (a SHA-256 would cost more than the rest of a hit); the memory is bounded above.
 */
export class VerifiedTokenCache implements VerifiedTokenCacheView {
  private readonly entries = new Map<string, Entry>();
  /**
   * Walks the entries oldest first and is kept between evictions: a Map iterator sees entries
   * added later and skips deleted ones, so each eviction is O(1). (A fresh `keys()` per eviction
   * would rescan the holes deletions leave at the front of V8's table: ~10 µs per eviction.)
   */
  private oldest = this.entries.keys();
  private readonly maxChars: number;
  private chars = 0;
  /** Counts every placement at the recent end; bounds how many entries can be newer than one. */
  private ticks = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly toleranceSeconds: number,
    private readonly keys: KeyStamps,
  ) {
    this.maxChars = maxEntries * CHARS_PER_ENTRY;
  }

  get size(): number {
    return this.entries.size;
  }

  has(token: string): boolean {
    return this.entries.has(token);
  }

  /** The principal of a verified token still valid at `nowMs`; drops the entry when it no longer is. */
  get(token: string, nowMs: number): Principal | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    const now = Math.floor(nowMs / 1000); // jose's epoch()
    const tolerance = this.toleranceSeconds;
    if (entry.exp <= now - tolerance || (entry.nbf !== undefined && entry.nbf > now + tolerance) || !this.keys.isCurrent(entry.stamp, nowMs)) {
      this.remove(token, entry);
      return undefined;
    }
    // Least recently used first out. An entry with fewer than half the capacity placed after it
    // cannot be evicted soon, so a hot token costs no reordering on most hits.
    if (this.ticks - entry.touched >= this.maxEntries >> 1) {
      this.entries.delete(token);
      this.entries.set(token, entry);
      entry.touched = ++this.ticks;
    }
    return entry.principal;
  }

  /** Remembers a token jose verified (`claims`) with the key `stamp` names; `principal` must be frozen. */
  set(token: string, claims: Readonly<Record<string, unknown>>, principal: Principal, stamp: KeyStamp): void {
    const { exp, nbf } = claims;
    if (typeof exp !== 'number' || (nbf !== undefined && typeof nbf !== 'number') || token.length > this.maxChars) return;
    const previous = this.entries.get(token);
    if (previous) this.remove(token, previous);
    this.entries.set(token, { principal, exp, nbf, stamp, touched: ++this.ticks });
    this.chars += token.length;
    while (this.entries.size > this.maxEntries || this.chars > this.maxChars) this.evictOldest();
  }

  private evictOldest(): void {
    let next = this.oldest.next();
    if (next.done) {
      this.oldest = this.entries.keys();
      next = this.oldest.next();
    }
    this.remove(next.value!, this.entries.get(next.value!)!);
  }

  private remove(token: string, entry: Entry): void {
    if (this.entries.get(token) !== entry) return;
    this.entries.delete(token);
    this.chars -= token.length;
  }
}

/**
 * The cache a strategy's options ask for (`cacheSize`, default 10 000; 0 turns it off). A key
 * source that cannot tell whether a key is still in its set (no `keyStamps`) gets no cache.
 */
export function createVerifiedTokenCache(
  options: Pick<JwtStrategyOptions, 'cacheSize' | 'clockToleranceSeconds'>,
  keys: KeyStamps | undefined,
  strategyName: string,
): VerifiedTokenCache | undefined {
  const size = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  if (!Number.isSafeInteger(size) || size < 0) {
    throw AuthConfigurationError.create(
      `${strategyName}.cacheSize must be a whole number of entries, got ${String(size)}.`,
      `Leave it unset for ${DEFAULT_CACHE_SIZE}, or set 0 to verify every request in full.`,
    );
  }
  if (size === 0 || !keys) return undefined;
  return new VerifiedTokenCache(size, options.clockToleranceSeconds ?? 5, keys);
}

/** Freezes a principal and everything it holds (claims included): cached ones are shared by requests. */
export function deepFreeze<T>(value: T, seen = new WeakSet<object>()): T {
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key], seen);
  return value;
}
