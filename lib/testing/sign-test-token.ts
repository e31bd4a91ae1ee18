import type { INestApplicationContext } from '@nestjs/common';
import { SignJWT } from 'jose';
import { JwtSettings } from '../strategies/jwt/jwt-settings.js';

export interface TestTokenClaims {
  readonly sub: string;
  readonly roles?: readonly string[];
  readonly scopes?: readonly string[];
  readonly permissions?: readonly string[];
  /** Any further claims (they override the defaults). */
  readonly [claim: string]: unknown;
}

export interface TestTokenOptions {
  /** Lifetime in seconds. Default 300. */
  readonly expiresIn?: number;
  /** Issue time, ms since epoch; use your FakeClock's `now()` when you move time. Default `Date.now()`. */
  readonly now?: number;
}

/**
 * Signs an access token that the app's configured JWT strategy accepts: the configured HS secret,
 * issuer, audience and `typ`, with `roles`/`scope` claims. For apps whose JWT strategy verifies
 * asymmetric keys only, sign with your test key pair instead (there is no secret to sign with).
 */
export async function signTestToken(
  app: INestApplicationContext,
  claims: TestTokenClaims,
  options: TestTokenOptions = {},
): Promise<string> {
  const jwt = app.get(JwtSettings, { strict: false }).config;
  const alg = jwt?.algorithms.find((a) => a.startsWith('HS'));
  if (!jwt || !alg || jwt.secret === undefined) {
    throw new TypeError(
      'signTestToken() needs the app to configure `jwt` with an HS* algorithm and a `secret`. ' +
        'For asymmetric keys, configure a test key pair and sign with jose, or use FakeAuthStrategy.',
    );
  }
  const { sub, roles, scopes, permissions, ...rest } = claims;
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const first = <T>(value: T | readonly T[] | undefined) => (Array.isArray(value) ? value[0] : value) as T | undefined;
  const payload: Record<string, unknown> = { sub, iat: now, exp: now + (options.expiresIn ?? 300) };
  if (jwt.issuer !== undefined) payload.iss = first(jwt.issuer);
  if (jwt.audience !== undefined) payload.aud = first(jwt.audience);
  if (roles) payload.roles = roles;
  if (scopes) payload.scope = scopes.join(' ');
  if (permissions) payload.permissions = permissions;
  const typ = jwt.typ === undefined ? 'at+jwt' : jwt.typ || undefined;
  const secret = typeof jwt.secret === 'string' ? new TextEncoder().encode(jwt.secret) : jwt.secret;
  return new SignJWT({ ...payload, ...rest }).setProtectedHeader(typ ? { alg, typ } : { alg }).sign(secret);
}
