import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { AuthError } from '../../errors/auth.error.js';
import { failClosed } from '../../stores/fail-closed.js';
import { JwtSettings } from '../../strategies/jwt/jwt-settings.js';
import type { JwtStrategyOptions } from '../../strategies/jwt/jwt.options.js';
import { hasOwnKeys, LocalTokenIssuer } from '../../strategies/jwt/local-token-issuer.js';
import { AccessTokenDenyList } from './access-token-deny-list.js';
import { RefreshTokens } from './refresh-tokens.js';
import { SigningKeys } from '../keys/signing-keys.js';
import { TokenSettings } from '../token-settings.js';

/** Tokens issued this close to a revocation of all of a user's tokens are checked against their sign-in. */
const USER_REVOCATION_SLACK_MS = 5_000;

/** Lets the JWT strategy verify the tokens `TokenService` issues and refuse revoked ones. */
@Injectable()
export class OwnTokenVerification extends LocalTokenIssuer implements OnApplicationBootstrap {
  readonly keySource: JWTVerifyGetKey;

  constructor(
    private readonly settings: TokenSettings,
    private readonly keys: SigningKeys,
    private readonly denyList: AccessTokenDenyList,
    private readonly refreshTokens: RefreshTokens,
    private readonly jwtSettings: JwtSettings,
  ) {
    super();
    this.keySource = keys.keySource;
  }

  /** A `jwt` section with keys of its own verifies with those only: say so when ours cannot match. */
  onApplicationBootstrap(): void {
    const jwt = this.jwtSettings.config;
    if (!this.settings.configured || !jwt || !hasOwnKeys(jwt)) return;
    const sameSecret = this.keys.mode === 'secret' && jwt.secret !== undefined && sameBytes(jwt.secret, this.settings.signing.secret!);
    if (sameSecret) return;
    new Logger('nest-warden').warn(
      'The `jwt` section has keys of its own, so the jwt strategy will not accept the access tokens of the token endpoint ' +
        '(signed with the `tokens` keys). Remove the keys from `jwt` to verify with the token service\'s keys.',
    );
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
    let revoked: boolean;
    try {
      revoked = await this.isRevoked(claims);
    } catch (error) {
      throw failClosed(error, { description: 'Token revocation cannot be checked right now', strategy });
    }
    if (revoked) throw new AuthError('invalid_token', { description: 'The access token was revoked', strategy });
  }

  private async isRevoked(claims: JWTPayload): Promise<boolean> {
    const { denied, userRevokedAt } = await this.denyList.lookup(claims.jti, claims.sid, claims.sub, claims.iat);
    if (denied) return true;
    if (userRevokedAt === undefined || typeof claims.iat !== 'number') return false;
    const issued = claims.iat * 1000;
    // Clearly after the revocation (beyond clock skew between instances): valid.
    if (issued > userRevokedAt + USER_REVOCATION_SLACK_MS) return false;
    // Around or before it, the sign-in's own start time decides (sign-ins after a revocation start after it).
    const started = typeof claims.sid === 'string' ? await this.refreshTokens.issuedAt(claims.sid) : undefined;
    return started === undefined ? issued <= userRevokedAt : started <= userRevokedAt;
  }
}

function sameBytes(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const left = typeof a === 'string' ? Buffer.from(a, 'utf8') : Buffer.from(a);
  const right = typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b);
  return left.equals(right);
}
