import { Injectable, Logger } from '@nestjs/common';
import type { JWK } from 'jose';
import { Clock } from '../../clock/clock.js';
import { AuthStore, StoreUnavailableError } from '../../stores/auth-store.js';

/** One instance's public key as other instances see it, with the time after which it verifies nothing. */
export interface PublishedKey {
  readonly jwk: JWK;
  /** Milliseconds since the epoch. */
  readonly exp: number;
}

/** One key holds the whole set: every write is a compare-and-swap on it (single key, so Redis-Cluster safe). */
const INDEX_KEY = 'tokens:keys';
const MAX_ATTEMPTS = 16;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * The public keys of every instance that signs with generated keys, kept in the `AuthStore`.
 * Only public JWKs are ever written; a JWK with private members is refused on the way in and
 * ignored on the way out.
 */
@Injectable()
export class PublishedKeys {
  private readonly logger = new Logger('nest-warden');

  constructor(
    private readonly store: AuthStore,
    private readonly clock: Clock,
  ) {}

  /** Adds or extends a key until `exp`, pruning expired ones. */
  async publish(jwk: JWK, exp: number): Promise<void> {
    if (!isPublicJwk(jwk)) throw new TypeError('nest-warden: only public keys with a kid can be published');
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const raw = await this.store.get(INDEX_KEY);
      const now = this.clock.now();
      const others = this.parse(raw).filter((key) => key.exp > now && key.jwk.kid !== jwk.kid);
      const next = [...others, { jwk, exp }];
      const ttl = Math.max(...next.map((key) => key.exp)) - now;
      if (await this.store.compareAndSwap(INDEX_KEY, raw, JSON.stringify(next), ttl)) return;
    }
    throw new StoreUnavailableError('nest-warden: could not publish the signing key (too much contention on the key set)');
  }

  /** Keys that have not expired. */
  async read(): Promise<PublishedKey[]> {
    const now = this.clock.now();
    return this.parse(await this.store.get(INDEX_KEY)).filter((key) => key.exp > now);
  }

  private parse(raw: string | null): PublishedKey[] {
    if (raw === null) return [];
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      this.logger.warn('The published signing-key set in the store is not JSON; it will be replaced');
      return [];
    }
    if (!Array.isArray(value)) return [];
    return value.filter(
      (entry): entry is PublishedKey =>
        entry !== null && typeof entry === 'object' && typeof entry.exp === 'number' && isPublicJwk(entry.jwk),
    );
  }
}

function isPublicJwk(jwk: unknown): jwk is JWK {
  if (jwk === null || typeof jwk !== 'object') return false;
  const value = jwk as Record<string, unknown>;
  return (
    typeof value.kid === 'string' &&
    (value.kty === 'OKP' || value.kty === 'EC' || value.kty === 'RSA') &&
    PRIVATE_MEMBERS.every((member) => !(member in value))
  );
}
