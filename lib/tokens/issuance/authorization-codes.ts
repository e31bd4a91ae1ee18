import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Clock } from '../../clock/clock.js';
import { AuthStore } from '../../stores/auth-store.js';
import { TokenSettings } from '../token-settings.js';

/** What an authorization code stands for until it is redeemed (RFC 6749 §4.1.2, RFC 7636 §4.4). */
export interface AuthorizationCodeGrant {
  readonly clientId: string;
  readonly redirectUri: string;
  /** The S256 `code_challenge`. */
  readonly codeChallenge: string;
  readonly userId: string;
  readonly scopes: readonly string[];
  readonly amr: readonly string[];
  /** When the user authenticated (ms). */
  readonly authTime: number;
  /** Reserved for the tokens the code will issue, so a replay can revoke them. */
  readonly grantId: string;
}

interface CodeRecord {
  readonly v: 1;
  readonly grant: AuthorizationCodeGrant;
  readonly expiresAt: number;
  /** Set when redeemed; the record stays a while so that a replay is recognized. */
  readonly used: boolean;
}

/** What presenting a code gave. */
export type CodeRedemption =
  | { readonly kind: 'redeemed'; readonly grant: AuthorizationCodeGrant }
  /** The code was redeemed before: what it issued must be revoked (RFC 6749 §4.1.2). */
  | { readonly kind: 'replayed'; readonly grant: AuthorizationCodeGrant }
  | { readonly kind: 'invalid'; readonly reason: 'unknown' | 'expired' | 'client' | 'redirect_uri' | 'verifier' };

/** RFC 7636 §4.1: 43–128 characters of the unreserved set. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** S256 challenge: 32 bytes, base64url without padding. */
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const CODE = /^[A-Za-z0-9_-]{43}$/;
const MAX_ATTEMPTS = 8;
/** A redeemed code's marker outlives the code this long at least, to catch late replays. */
const REPLAY_WINDOW_MS = 10 * 60 * 1000;

/** Whether `value` is a well-formed S256 `code_challenge`. */
export function isS256Challenge(value: string): boolean {
  return CHALLENGE.test(value);
}

/**
 * Authorization codes: 256 random bits, stored only as their SHA-256, short-lived, bound to the
 * client, the redirect URI and the PKCE challenge. Redeeming is one compare-and-swap in the store,
 * so of any number of parallel redemptions on any number of instances exactly one wins; a code
 * presented again after that is a replay.
 */
@Injectable()
export class AuthorizationCodes {
  constructor(
    private readonly store: AuthStore,
    private readonly clock: Clock,
    private readonly settings: TokenSettings,
  ) {}

  /** Stores a new code for `grant`; returns the code to put in the redirect. */
  async create(grant: AuthorizationCodeGrant): Promise<string> {
    const ttl = this.settings.authorizationCodeTtlMs;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const code = randomBytes(32).toString('base64url');
      const record: CodeRecord = { v: 1, grant, expiresAt: this.clock.now() + ttl, used: false };
      if (await this.store.setIfAbsent(key(code), JSON.stringify(record), ttl + REPLAY_WINDOW_MS)) return code;
    }
    throw new Error('nest-warden: could not allocate an authorization code');
  }

  /**
   * Redeems `code` for `clientId` with the `redirectUri` and PKCE `verifier` of the token request.
   * A request that does not match the code's bindings leaves the code as it is.
   */
  async redeem(code: string, clientId: string, redirectUri: string | undefined, verifier: string): Promise<CodeRedemption> {
    if (!CODE.test(code)) return { kind: 'invalid', reason: 'unknown' };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const raw = await this.store.get(key(code));
      const record = decode(raw);
      if (!record) return { kind: 'invalid', reason: 'unknown' };
      if (record.grant.clientId !== clientId) return { kind: 'invalid', reason: 'client' };
      if (record.used) return { kind: 'replayed', grant: record.grant };
      if (record.expiresAt <= this.clock.now()) return { kind: 'invalid', reason: 'expired' };
      if (redirectUri !== record.grant.redirectUri) return { kind: 'invalid', reason: 'redirect_uri' };
      if (!verifierMatches(verifier, record.grant.codeChallenge)) return { kind: 'invalid', reason: 'verifier' };
      const used: CodeRecord = { ...record, used: true };
      if (await this.store.compareAndSwap(key(code), raw!, JSON.stringify(used), REPLAY_WINDOW_MS)) {
        return { kind: 'redeemed', grant: record.grant };
      }
      // Another request redeemed it meanwhile: read again, which finds it used (a replay).
    }
    throw new Error('nest-warden: authorization code redemption did not settle');
  }
}

/** RFC 7636 §4.6: BASE64URL(SHA256(verifier)) == challenge, compared in constant time. */
function verifierMatches(verifier: string, challenge: string): boolean {
  if (!VERIFIER.test(verifier) || !CHALLENGE.test(challenge)) return false;
  const computed = createHash('sha256').update(verifier, 'ascii').digest();
  const expected = Buffer.from(challenge, 'base64url');
  return expected.length === computed.length && timingSafeEqual(computed, expected);
}

/** One key per code; the hash tag keeps it on one Redis Cluster slot. */
function key(code: string): string {
  return `tokens:code:{${createHash('sha256').update(code, 'utf8').digest('base64url')}}`;
}

function decode(raw: string | null): CodeRecord | undefined {
  if (raw === null) return undefined;
  try {
    const record = JSON.parse(raw) as CodeRecord;
    return record?.v === 1 && typeof record.grant?.clientId === 'string' ? record : undefined;
  } catch {
    return undefined;
  }
}
