// The examples of docs/tokens.md. Type-checked by `npm run typecheck` and run by
// tokens.example.spec.ts; in your app, import from 'nest-warden' instead of '../../lib/index.js'.
import { Body, Controller, Get, Injectable, Module, Post } from '@nestjs/common';
import {
  type AuthEvent,
  AuthEventListener,
  AuthModule,
  CurrentUser,
  hashClientSecret,
  LoggingAuthEventListener,
  OAuthError,
  PasswordGrantStep,
  type Principal,
  Public,
  Scopes,
  type TokenRequestParameters,
  TokenService,
  type UserAccount,
  UserDirectory,
} from '../../lib/index.js';

// --- Your users: nest-warden reads them through a UserDirectory ---------------------------------

@Injectable()
export class UsersService extends UserDirectory {
  // A real app reads its users table; hashes come from PasswordHasher.hash() (argon2id).
  private readonly users = new Map<string, UserAccount>();

  add(account: UserAccount): void {
    this.users.set(account.username, account);
  }

  async findByUsername(username: string): Promise<UserAccount | null> {
    return this.users.get(username) ?? null;
  }

  async findById(id: string): Promise<UserAccount | null> {
    return [...this.users.values()].find((user) => user.id === id) ?? null;
  }
}

// --- Security events to your audit trail, on top of the default log lines ----------------------

@Injectable()
export class AuditTrail extends LoggingAuthEventListener {
  readonly reuses: AuthEvent[] = [];

  override handle(event: AuthEvent): void {
    super.handle(event); // keep the default log line
    if (event.type === 'refresh_token.reused') this.reuses.push(event); // e.g. alert the security team
  }
}

// --- The module: token endpoints mounted, options read at boot --------------------------------

export const authModule = AuthModule.forRootAsync({
  useFactory: () => ({
    tokens: {
      issuer: 'https://api.example.com',
      audience: 'https://api.example.com',
      accessTokenTtlSeconds: 600,
      clients: [
        { id: 'web-app' }, // public: a SPA, a mobile app, Swagger UI
        { id: 'reporting', secretHash: hashClientSecret(process.env.REPORTING_CLIENT_SECRET!), scopes: ['items:read'] },
      ],
      defaultClient: 'web-app',
      scopes: { 'items:read': 'Read items', 'items:write': 'Create items' },
      // HS256 when a secret is set; otherwise an Ed25519 key pair per instance, shared through the store.
      signing: process.env.JWT_SECRET ? { secret: process.env.JWT_SECRET } : {},
      // The password grant is off by default (RFC 9700 §2.4); this first-party app still uses it.
      passwordGrant: true,
    },
  }),
  // Structural: which controllers exist. Paths can be changed, or an endpoint left out with false.
  tokenEndpoints: { token: '/auth/token', revoke: '/auth/revoke', jwks: '/.well-known/jwks.json' },
});

// --- Routes protected by the tokens the endpoint issues ----------------------------------------

@Controller()
export class ItemsController {
  @Get('me')
  me(@CurrentUser() user: Principal) {
    return { id: user.id, username: user.username, scopes: user.scopes, client: user.clientId };
  }

  @Scopes('items:write')
  @Post('items')
  create(@Body() body: { name?: string }) {
    return { name: body?.name ?? 'unnamed' };
  }
}

// --- Issuing tokens after a sign-in of your own (here: a magic link already checked) -----------

@Controller('auth')
export class MagicLinkController {
  constructor(
    private readonly tokens: TokenService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @Post('magic-link/exchange')
  async exchange(@Body() body: { username?: string }) {
    const account = await this.users.findByUsername(String(body?.username));
    if (!account) return { error: 'unknown' };
    const issued = await this.tokens.issue(account, { clientId: 'web-app', amr: ['email'], grantType: 'magic_link' });
    return { access_token: issued.accessToken, token_type: issued.tokenType, expires_in: issued.expiresIn, refresh_token: issued.refreshToken };
  }
}

// --- A second step of the password grant (e.g. TOTP), plugged in by providing it ---------------

/** Your one-time-code checker (a TOTP verifier, an SMS code store...). */
export abstract class OneTimeCodes {
  abstract check(userId: string, code: string | undefined): Promise<boolean>;
}

@Injectable()
export class OneTimeCodeStep extends PasswordGrantStep {
  constructor(private readonly codes: OneTimeCodes) {
    super();
  }

  async verify(account: UserAccount, parameters: TokenRequestParameters): Promise<readonly string[]> {
    if (!(await this.codes.check(account.id, parameters.get('otp')))) {
      throw new OAuthError('invalid_grant', 'A valid one-time code is required');
    }
    return ['otp'];
  }
}

@Module({
  imports: [authModule],
  controllers: [ItemsController, MagicLinkController],
  providers: [
    UsersService,
    { provide: UserDirectory, useExisting: UsersService },
    AuditTrail,
    { provide: AuthEventListener, useExisting: AuditTrail },
  ],
})
export class AppModule {}

/** The same app with the second step: `{ provide: PasswordGrantStep, useExisting: OneTimeCodeStep }`. */
export function appWithSecondStep(codes: OneTimeCodes) {
  @Module({
    imports: [authModule],
    controllers: [ItemsController, MagicLinkController],
    providers: [
      UsersService,
      { provide: UserDirectory, useExisting: UsersService },
      { provide: OneTimeCodes, useValue: codes },
      OneTimeCodeStep,
      { provide: PasswordGrantStep, useExisting: OneTimeCodeStep },
    ],
  })
  class AppWithSecondStep {}
  return AppWithSecondStep;
}
