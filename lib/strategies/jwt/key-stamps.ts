import type { JWK, JWTHeaderParameters, JWTVerifyGetKey } from 'jose';

/**
 * Which key verified a token; ask `KeyStamps.isCurrent` whether it is still trusted. For a remote
 * set: the `kid` and the JWK(s) that kid selected, as text; for a key trusted until a known time:
 * that time.
 */
export interface KeyStamp {
  readonly kid: string | undefined;
  readonly fingerprint: string;
  /** Milliseconds since the epoch after which the key verifies nothing. */
  readonly until?: number;
}

/** A key that cannot leave the key set: the HMAC secret, keys given in the options. */
const FIXED_KEY: KeyStamp = Object.freeze({ kid: undefined, fingerprint: 'fixed' });

/** What jose's `createRemoteJWKSet` exposes besides being a key lookup. */
interface RemoteKeySet {
  readonly fresh: boolean;
}

/**
 * The object jose's `createRemoteJWKSet` writes every fetched set into (its `jwksCache` option):
 * a new `jwks` object per fetch, so a changed set is seen by identity, without copying the set.
 */
export interface FetchedKeySet {
  jwks?: { keys: JWK[] };
  uat?: number;
}

/**
 * Tells the verified-token cache whether the key that verified a token is still in the key set.
 * The key source records every key it hands to jose (`fixed` or `remote`); the cache asks
 * `isCurrent` on every hit, so a key rotated out of a remote JWKS stops answering from the cache
 * as soon as jose has fetched the set without it.
 */
export class KeyStamps {
  private readonly stamps = new WeakMap<object, KeyStamp>();
  /** Per `kid` (and `''` for a header without one): the JWKs that kid selects in the current set. */
  private fingerprints = new Map<string, string>();
  private lastSet: object | undefined;
  private remote: RemoteKeySet | undefined;
  private fetched: FetchedKeySet | undefined;

  /** The remote set (jose's `createRemoteJWKSet`) whose keys come and go, and where jose writes each fetch. */
  watch(remote: RemoteKeySet, fetched: FetchedKeySet): void {
    this.remote = remote;
    this.fetched = fetched;
  }

  /** A key that never changes while the application runs. */
  fixed<K extends object>(key: K): K {
    this.stamps.set(key, FIXED_KEY);
    return key;
  }

  /** A key trusted until `untilMs` (e.g. another instance's published key, until its `exp`). */
  until<K extends object>(key: K, untilMs: number): K {
    this.stamps.set(key, { kid: undefined, fingerprint: 'until', until: untilMs });
    return key;
  }

  /** A key jose just took from the remote set for `header`; call it right after the lookup resolves. */
  fromRemote<K extends object>(key: K, header: JWTHeaderParameters): K {
    this.refresh();
    const fingerprint = this.fingerprints.get(header.kid ?? '');
    if (fingerprint === undefined) this.stamps.delete(key);
    else this.stamps.set(key, { kid: header.kid, fingerprint });
    return key;
  }

  /** The stamp of a key this source returned; `undefined` for a key it does not know (never cached). */
  stampOf(key: unknown): KeyStamp | undefined {
    return typeof key === 'object' && key !== null ? this.stamps.get(key) : undefined;
  }

  /**
   * Whether the key is still in the set. Runs on every cache hit, so it is a few comparisons. A
   * remote set past its `cacheMaxAge` answers `false`: the token is then verified in full, which
   * makes jose refetch the set, instead of the cache trusting a set nobody refreshes any more.
   */
  isCurrent(stamp: KeyStamp, nowMs: number): boolean {
    if (stamp === FIXED_KEY) return true;
    if (stamp.until !== undefined) return nowMs < stamp.until;
    return this.remote !== undefined && this.remote.fresh && this.fingerprints.get(stamp.kid ?? '') === stamp.fingerprint;
  }

  /**
   * Re-reads the remote set when jose fetched a new one; call it after every lookup in it, failed
   * ones too. One identity comparison unless a fetch happened (at most once per cooldown), so a cold
   * token costs the same with 1 or 100 keys in the set.
   */
  refresh(): void {
    const fetched = this.fetched?.jwks;
    if (fetched === this.lastSet) return;
    const keys = fetched?.keys ?? [];
    const set = JSON.stringify(keys);
    const byKid = new Map<string, JWK[]>();
    for (const jwk of keys) {
      if (typeof jwk.kid !== 'string') continue;
      const same = byKid.get(jwk.kid);
      if (same) same.push(jwk);
      else byKid.set(jwk.kid, [jwk]);
    }
    const fingerprints = new Map<string, string>([['', set]]); // no kid: jose may pick any key of the set
    for (const [kid, jwks] of byKid) fingerprints.set(kid, JSON.stringify(jwks));
    this.fingerprints = fingerprints;
    this.lastSet = fetched;
  }
}

/** A key lookup that can say which keys it returned (`createKeySource` builds these). */
export type StampedKeySource = JWTVerifyGetKey & { readonly keyStamps?: KeyStamps };

/** The stamps of a key source, when it keeps them; a source without stamps is never cached. */
export function keyStampsOf(source: JWTVerifyGetKey): KeyStamps | undefined {
  return (source as StampedKeySource).keyStamps;
}
