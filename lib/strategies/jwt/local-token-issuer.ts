import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { JwtStrategyOptions } from './jwt.options.js';

/**
 * What the JWT strategy needs to accept the access tokens this application issues itself
 * (`forRoot({ tokens })`): their verification settings, their keys (a secret, or the public keys
 * of every instance), and the deny list of revoked tokens. Provided by the token service.
 */
export abstract class LocalTokenIssuer {
  /** Verification settings for our own tokens; `undefined` when the app issues none. */
  abstract jwtOptions(): JwtStrategyOptions | undefined;
  /** Key lookup for our own tokens. */
  abstract readonly keySource: JWTVerifyGetKey;
  /**
   * For a verified token: throws `AuthError` `invalid_token` when it was revoked, `unavailable`
   * when the deny list cannot be read (fail closed). Tokens of other issuers pass untouched.
   */
  abstract assertNotRevoked(claims: JWTPayload, strategy: string): Promise<void>;
}

/** Whether JWT options name keys of their own; without any, the strategy uses the local issuer's. */
export function hasOwnKeys(options: JwtStrategyOptions): boolean {
  return (
    options.secret !== undefined ||
    options.publicKeys !== undefined ||
    options.jwks !== undefined ||
    options.jwksUri !== undefined
  );
}
