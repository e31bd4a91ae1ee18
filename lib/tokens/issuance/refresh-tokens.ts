import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { Clock } from '../../clock/clock.js';
import { AuthStore } from '../../stores/auth-store.js';

/** What a refresh-token family (one sign-in) remembers; stored as JSON under one key. */
export interface RefreshGrant {
  /** Family id: `sid` of its access tokens. */
  readonly id: string;
  readonly userId: string;
  readonly clientId: string;
  /** Scopes granted at sign-in; a refresh can narrow an access token, never widen the grant. */
  readonly scopes: readonly string[];
  readonly amr: readonly string[];
  /** When the password was checked (ms). */
  readonly authTime: number;
  /** When the family started (ms); after any revocation of all the user's tokens (`UserRevocation`). */
  readonly issuedAt: number;
  /** No refresh after this, however often rotated (ms). */
  readonly maxExpiresAt: number;
  /** The DPoP key thumbprint the family's access tokens are bound to (RFC 9449 §5), if any. */
  readonly jkt?: string;
}

interface FamilyRecord {
  readonly v: 1;
  readonly grant: RefreshGrant;
  /** SHA-256 of the current refresh token's secret. */
  readonly current: string;
  /** Truncated hashes of rotated-out secrets, newest first: presenting one of them is reuse. */
  readonly previous: readonly string[];
  /** The current token dies unused after this (ms). */
  readonly expiresAt: number;
  readonly revoked: boolean;
}

/** Outcome of presenting a refresh token. */
export type RefreshOutcome<T> =
  | { readonly kind: 'rotated'; readonly grant: RefreshGrant; readonly refreshToken: string; readonly prepared: T }
  | { readonly kind: 'reused'; readonly grant: RefreshGrant }
  | { readonly kind: 'revoked'; readonly grant: RefreshGrant }
  | { readonly kind: 'invalid'; readonly reason: 'unknown' | 'expired' | 'revoked' | 'client' };

/**
 * Runs on the grant before a rotation is committed: returns what the caller needs afterwards
 * (e.g. the signed access token), `undefined` to revoke the family instead (the account is gone),
 * or throws to refuse without touching the family (e.g. `invalid_scope`).
 */
export type RotationStep<T> = (grant: RefreshGrant) => Promise<T | undefined>;

const PREVIOUS_KEPT = 64;
const MAX_ATTEMPTS = 8;
/** `<family id>.<secret>`: 16 + 32 random bytes, base64url. */
const TOKEN_FORMAT = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/**
 * Refresh tokens: opaque, 256 bits of randomness, stored only as hashes. A sign-in starts a family
 * under one store key; every refresh rotates the family's token with one compare-and-swap, so of
 * any number of parallel refreshes with one token exactly one wins. A token that was already
 * rotated out coming back is reuse (RFC 9700 §4.14.2): the family is revoked.
 */
@Injectable()
export class RefreshTokens {
  constructor(
    private readonly store: AuthStore,
    private readonly clock: Clock,
  ) {}

  /** Starts a family (with the given id, when the caller reserved one); returns its first refresh token. */
  async start(grant: Omit<RefreshGrant, 'id'>, idleTtlMs: number, id?: string): Promise<{ grant: RefreshGrant; refreshToken: string }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const full: RefreshGrant = { ...grant, id: id ?? randomBytes(16).toString('base64url') };
      const secret = randomBytes(32).toString('base64url');
      const record = this.record(full, hash(secret), [], idleTtlMs);
      const ttl = this.ttlOf(record);
      if (ttl <= 0) throw new RangeError('nest-warden: refresh token lifetime is not positive');
      if (await this.store.setIfAbsent(key(full.id), JSON.stringify(record), ttl)) {
        return { grant: full, refreshToken: `${full.id}.${secret}` };
      }
    }
    throw new Error('nest-warden: could not allocate a refresh-token family id');
  }

  /**
   * Rotates `token` for `clientId`: `rotated` with the successor, `reused` (an already rotated
   * token: the family is now revoked), `revoked` (the step asked for it), or `invalid`.
   */
  async rotate<T>(token: string, clientId: string, idleTtlMs: number, step: RotationStep<T>): Promise<RefreshOutcome<T>> {
    const parsed = parse(token);
    if (!parsed) return { kind: 'invalid', reason: 'unknown' };
    const presented = hash(parsed.secret);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const raw = await this.store.get(key(parsed.family));
      const record = decode(raw);
      if (!record || record.grant.id !== parsed.family) return { kind: 'invalid', reason: 'unknown' };
      if (record.revoked) return { kind: 'invalid', reason: 'revoked' };
      if (record.current !== presented) {
        if (!record.previous.includes(short(presented))) return { kind: 'invalid', reason: 'unknown' };
        if (await this.swap(parsed.family, raw!, { ...record, revoked: true })) return { kind: 'reused', grant: record.grant };
        continue;
      }
      const now = this.clock.now();
      if (record.expiresAt <= now || record.grant.maxExpiresAt <= now) return { kind: 'invalid', reason: 'expired' };
      // RFC 6749 §6: the token is bound to the client it was issued to.
      if (record.grant.clientId !== clientId) return { kind: 'invalid', reason: 'client' };
      const prepared = await step(record.grant);
      if (prepared === undefined) {
        if (await this.swap(parsed.family, raw!, { ...record, revoked: true })) return { kind: 'revoked', grant: record.grant };
        continue;
      }
      const secret = randomBytes(32).toString('base64url');
      const next = this.record(record.grant, hash(secret), [short(presented), ...record.previous].slice(0, PREVIOUS_KEPT), idleTtlMs);
      if (await this.swap(parsed.family, raw!, next)) {
        return { kind: 'rotated', grant: record.grant, refreshToken: `${parsed.family}.${secret}`, prepared };
      }
      // Another request rotated or revoked the family meanwhile: read again, which finds this token rotated out (reuse).
    }
    throw new Error('nest-warden: refresh-token rotation did not settle');
  }

  /**
   * Revokes the family of `token` when `token` is its current or a rotated-out token and
   * `clientId` owns it. Returns the revoked grant, or `undefined` when there was nothing to revoke.
   */
  async revoke(token: string, clientId: string): Promise<RefreshGrant | undefined> {
    const parsed = parse(token);
    if (!parsed) return undefined;
    const presented = hash(parsed.secret);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const raw = await this.store.get(key(parsed.family));
      const record = decode(raw);
      if (!record || record.grant.id !== parsed.family || record.revoked) return undefined;
      if (record.current !== presented && !record.previous.includes(short(presented))) return undefined;
      if (record.grant.clientId !== clientId) return undefined;
      if (await this.swap(parsed.family, raw!, { ...record, revoked: true })) return record.grant;
    }
    throw new Error('nest-warden: refresh-token revocation did not settle');
  }

  /**
   * What a refresh token stands for, without rotating it (introspection): its grant and when it
   * dies, when it is the family's current token, unexpired and not revoked; else `undefined`.
   */
  async inspect(token: string): Promise<{ grant: RefreshGrant; expiresAt: number } | undefined> {
    const parsed = parse(token);
    if (!parsed) return undefined;
    const record = decode(await this.store.get(key(parsed.family)));
    if (!record || record.grant.id !== parsed.family || record.revoked || record.current !== hash(parsed.secret)) return undefined;
    const expiresAt = Math.min(record.expiresAt, record.grant.maxExpiresAt);
    return expiresAt > this.clock.now() ? { grant: record.grant, expiresAt } : undefined;
  }

  /** Revokes the family `id` whatever its current token (an authorization code it came from was replayed). */
  async revokeFamily(id: string): Promise<RefreshGrant | undefined> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const raw = await this.store.get(key(id));
      const record = decode(raw);
      if (!record || record.grant.id !== id || record.revoked) return undefined;
      if (await this.swap(id, raw!, { ...record, revoked: true })) return record.grant;
    }
    throw new Error('nest-warden: refresh-token revocation did not settle');
  }

  /** When the family `id` started (ms), or `undefined` when there is no such family (any more). */
  async issuedAt(id: string): Promise<number | undefined> {
    const record = decode(await this.store.get(key(id)));
    return record?.grant.id === id && typeof record.grant.issuedAt === 'number' ? record.grant.issuedAt : undefined;
  }

  /** Whether `token` looks like one of ours (`<family>.<secret>`), without asking the store. */
  static looksLikeRefreshToken(token: string): boolean {
    return TOKEN_FORMAT.test(token);
  }

  private record(grant: RefreshGrant, current: string, previous: readonly string[], idleTtlMs: number): FamilyRecord {
    const expiresAt = Math.min(this.clock.now() + idleTtlMs, grant.maxExpiresAt);
    return { v: 1, grant, current, previous, expiresAt, revoked: false };
  }

  /** A record lives until its token would expire (a revoked one too: later reuse is still recognized). */
  private ttlOf(record: FamilyRecord): number {
    return record.expiresAt - this.clock.now();
  }

  private async swap(family: string, expected: string, next: FamilyRecord): Promise<boolean> {
    const ttl = this.ttlOf(next);
    if (ttl <= 0) return this.store.compareAndSwap(key(family), expected, null, 1);
    return this.store.compareAndSwap(key(family), expected, JSON.stringify(next), ttl);
  }
}

/** One key per family; the hash tag keeps it on one Redis Cluster slot with anything else of the family. */
function key(family: string): string {
  return `tokens:rt:{${family}}`;
}

function parse(token: string): { family: string; secret: string } | undefined {
  const match = typeof token === 'string' ? TOKEN_FORMAT.exec(token) : null;
  return match ? { family: match[1], secret: match[2] } : undefined;
}

function hash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

/** 128 bits of the hash: enough to recognize a rotated-out token, half the room in the record. */
function short(hashed: string): string {
  return hashed.slice(0, 22);
}

function decode(raw: string | null): FamilyRecord | undefined {
  if (raw === null) return undefined;
  try {
    const record = JSON.parse(raw) as FamilyRecord;
    return record && record.v === 1 && typeof record.current === 'string' && Array.isArray(record.previous) ? record : undefined;
  } catch {
    return undefined;
  }
}
