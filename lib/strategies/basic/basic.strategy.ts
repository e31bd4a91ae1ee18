import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AuthError } from '../../errors/auth.error.js';
import { formatChallenge } from '../../errors/challenge.js';
import { type AuthRequest, parseAuthorizationHeader } from '../../request/auth-request.js';
import { PasswordLogin } from '../../login/password-login.js';
import type { Principal } from '../../principal/principal.js';
import { failClosed } from '../../stores/fail-closed.js';
import type { UserAccount } from '../../users/user-directory.js';
import { AuthStrategy, type SecuritySchemeDescription } from '../auth-strategy.js';
import { decodeBasicCredentials } from './basic-credentials.js';
import { type BasicConfig, BasicSettings } from './basic-settings.js';
import { RequestPolicy } from '../../network/request-policy.js';

/**
 * HTTP Basic (RFC 7617), named `basic`. Every check goes through `PasswordLogin`, so lockout with
 * back-off, equal cost for unknown users and hash upgrades apply exactly as on every other
 * password path. Enabled by `forRoot({ basic: {} })`; needs a `UserDirectory` provider.
 */
@Injectable()
export class BasicStrategy extends AuthStrategy implements OnApplicationBootstrap {
  static readonly strategyName = 'basic';
  readonly name: string = BasicStrategy.strategyName;

  /** The client address per `trustProxy`, for per-address lockout. */
  @Inject(RequestPolicy) private readonly requestPolicy!: RequestPolicy;

  @Inject(PasswordLogin) private readonly logins!: PasswordLogin;
  @Inject(BasicSettings) private readonly settings!: BasicSettings;

  override get enabled(): boolean {
    return this.settings.enabled;
  }

  private get config(): BasicConfig | undefined {
    return this.settings.config;
  }

  override get authorizationScheme(): string {
    return 'basic';
  }

  /** A missing `UserDirectory` fails the boot, not the first request. */
  onApplicationBootstrap(): void {
    if (this.enabled) this.logins.users();
  }

  authenticate(request: AuthRequest): Promise<Principal> | null {
    const authorization = parseAuthorizationHeader(request);
    if (!authorization || authorization.scheme !== 'basic') return null;
    const decoded = decodeBasicCredentials(authorization.credentials, this.config!.maxCredentialsLength);
    if (!decoded.ok) throw this.invalid();
    return this.login(decoded.username, decoded.password, this.requestPolicy.clientAddress(request));
  }

  private async login(username: string, password: string, clientAddress: string | undefined): Promise<Principal> {
    let account: UserAccount;
    try {
      // Basic carries no second factor: with mfa.passwordLogins 'require' (the default), an enrolled
      // account gets the wrong-password answer here, whether its password was right or not.
      account = await this.logins.verify({ username, password, clientAddress, channel: 'basic' });
    } catch (error) {
      const failure = failClosed(error, { description: 'Login is temporarily unavailable', strategy: this.name });
      if (failure instanceof AuthError && failure.code === 'invalid_credentials') throw this.invalid(failure);
      throw failure; // `unavailable` (503), `locked` (429), both with Retry-After, and anything unexpected
    }
    return this.toPrincipal(account); // amr ['pwd']: Basic never carries a second factor
  }

  /** Account → principal. Override to add fields. */
  protected toPrincipal(account: UserAccount): Principal {
    return {
      id: account.id,
      username: account.username,
      roles: account.roles ?? [],
      permissions: account.permissions ?? [],
      scopes: account.scopes ?? [],
      strategy: this.name,
      amr: ['pwd'],
    };
  }

  /** RFC 7617 §2.1: the realm and the charset we decode with; Basic has no error parameter. */
  override challenge(realm: string): string {
    return formatChallenge('Basic', [
      ['realm', realm],
      ['charset', 'UTF-8'],
    ]);
  }

  override securityScheme(): SecuritySchemeDescription {
    return { type: 'http', scheme: 'basic', description: this.config?.description };
  }

  /** One answer for every bad credential (malformed, unknown user, wrong password): nothing to tell apart. */
  private invalid(cause?: unknown): AuthError {
    return new AuthError('invalid_credentials', { description: 'Invalid username or password', cause, strategy: this.name });
  }
}
