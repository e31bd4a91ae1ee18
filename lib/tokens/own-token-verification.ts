import { Injectable } from '@nestjs/common';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { AuthError } from '../errors/auth.error.js';
import { StoreUnavailableError } from '../stores/auth-store.js';
import type { JwtStrategyOptions } from '../strategies/jwt/jwt.options.js';
import { LocalTokenIssuer } from '../strategies/jwt/local-token-issuer.js';
import { AccessTokenDenyList } from './access-token-deny-list.js';
import { SigningKeys } from './signing-keys.js';
import { TokenSettings } from './token-settings.js';

/** Lets the JWT strategy verify the tokens `TokenService` issues and refuse revoked ones. */
@Injectable()
export class OwnTokenVerification extends LocalTokenIssuer {
  readonly keySource: JWTVerifyGetKey;

  constructor(
    private readonly settings: TokenSettings,
    private readonly keys: SigningKeys,
    private readonly denyList: AccessTokenDenyList,
  ) {
    super();
    this.keySource = keys.keySource;
  }

  jwtOptions(): JwtStrategyOptions | undefined {
    if (!this.settings.configured) return undefined;
    return {
      algorithms: [this.keys.algorithm],
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      requiredClaims: ['iat', 'jti', 'client_id'],
    };
  }

  async assertNotRevoked(claims: JWTPayload, strategy: string): Promise<void> {
    if (!this.settings.configured || claims.iss !== this.settings.issuer) return;
    let denied: boolean;
    try {
      denied = await this.denyList.isDenied(claims.jti, claims.sid);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      throw new AuthError('unavailable', {
        description: 'Token revocation cannot be checked right now',
        cause: error,
        strategy,
        retryAfterSeconds: 5,
      });
    }
    if (denied) throw new AuthError('invalid_token', { description: 'The access token was revoked', strategy });
  }
}
