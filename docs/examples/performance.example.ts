// Examples from docs/performance.md. Type-checked by `tsc`; performance.example.spec.ts runs them.
import { Controller, Get, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import {
  Auth,
  AuthError,
  AuthModule,
  AuthStore,
  CurrentUser,
  JwtStrategy,
  type MaybePromise,
  type Principal,
  UserRevocation,
} from '../../lib/index.js';

export const JWT_SECRET = process.env.JWT_SECRET ?? 'example-secret-that-is-at-least-32-bytes!!';

// --- Tuning the verified-token cache and the password hasher ----------------------------------

export const tunedOptions = {
  jwt: {
    algorithms: ['HS256'],
    secret: JWT_SECRET,
    issuer: 'https://auth.example.com',
    audience: 'notes-api',
    cacheSize: 50_000, // tokens answered without a signature check; 0 turns the cache off
  },
  passwords: {
    concurrency: 2, // argon2 hashes at once (default: cores − 1, at least 1)
    maxQueue: 32, // waiting hashes; beyond them, password checks answer 503 + Retry-After
  },
} as const;

// --- A per-request check that also runs for cached tokens -------------------------------------

/**
 * Refuses access tokens issued before the user's last "sign out everywhere" or password reset.
 * `UserRevocation.revokeUser()` records the moment in the store; every request, cached token or
 * not, compares the token's `iat` with it.
 */
@Injectable()
export class RevocationAwareJwtStrategy extends JwtStrategy implements OnModuleInit {
  override readonly name = 'bearer';

  constructor(
    private readonly store: AuthStore,
    private readonly revocation: UserRevocation,
  ) {
    super();
  }

  override onModuleInit(): void {
    super.onModuleInit();
    this.revocation.subscribe(async (userId) => {
      // Seconds, like `iat`; kept as long as the tokens it refuses could live (here: 1 hour).
      await this.store.set(`revoked-before:${userId}`, String(Math.floor(this.clock.now() / 1000)), 3_600_000);
    });
  }

  protected override afterVerification(principal: Principal): MaybePromise<Principal> {
    return this.store.get(`revoked-before:${principal.id}`).then((revokedAt) => {
      const issuedAt = principal.claims?.iat;
      if (revokedAt !== null && (typeof issuedAt !== 'number' || issuedAt <= Number(revokedAt))) {
        throw new AuthError('invalid_token', { description: 'The access token was revoked', strategy: this.name });
      }
      return principal;
    });
  }
}

@Controller()
export class ProfileController {
  @Auth('bearer')
  @Get('me')
  me(@CurrentUser() user: Principal) {
    return { id: user.id };
  }
}

@Module({
  imports: [
    AuthModule.forRoot({
      jwt: tunedOptions.jwt,
      passwords: tunedOptions.passwords,
      defaultStrategies: ['bearer'],
      strategies: [RevocationAwareJwtStrategy],
    }),
  ],
  controllers: [ProfileController],
  providers: [RevocationAwareJwtStrategy],
})
export class ProfileModule {}
