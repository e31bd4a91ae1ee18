import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { PasswordLogin } from '../../login/password-login.js';
import { OAuthError } from '../oauth.error.js';
import { PasswordGrantStep } from './password-grant-step.js';
import { parseScope } from '../scopes.js';
import { TokenGrant, type TokenGrantContext } from './token-grant.js';
import { TokenSettings } from '../token-settings.js';
import { TokenService, type TokenSet } from '../issuance/token.service.js';
import { RequestPolicy } from '../../network/request-policy.js';
import { findAppProvider } from '../../di/find-app-provider.js';

/** Longest username accepted; longer ones are malformed requests, not login attempts. */
const MAX_USERNAME_LENGTH = 256;
/**
 * Longest password accepted, as the session login (Spring CVE-2025-22228): a longer one is a clear
 * `invalid_request`, never truncated; the hasher's own byte limit applies below it.
 */
const MAX_PASSWORD_LENGTH = 4096;

/**
 * RFC 6749 §4.3, the resource owner password credentials grant, for first-party clients. The
 * password is checked by `PasswordLogin` (lockout, equal timing for unknown users, events, and the
 * second factor of enrolled accounts, sent as `otp` or `recovery_code`); an
 * optional {@link PasswordGrantStep} runs next; then tokens are issued for the requested scope,
 * or for every scope the user may hold when none is requested.
 *
 * Off unless `tokens.passwordGrant: true`: RFC 9700 §2.4 says this grant MUST NOT be used, and
 * OAuth 2.1 drops it. Use the authorization code grant with PKCE instead.
 */
@Injectable()
export class PasswordGrant extends TokenGrant implements OnApplicationBootstrap {
  readonly grantType = 'password';
  override readonly parameters = [
    { name: 'username', description: 'Required for grant_type=password.' },
    { name: 'password', description: 'Required for grant_type=password.', secret: true },
    { name: 'otp', description: 'grant_type=password: the one-time code of an account with a second factor.', secret: true },
    { name: 'recovery_code', description: 'grant_type=password: a recovery code instead of otp.', secret: true },
  ];
  private step: PasswordGrantStep | undefined;

  constructor(
    private readonly login: PasswordLogin,
    private readonly tokens: TokenService,
    private readonly settings: TokenSettings,
    private readonly moduleRef: ModuleRef,
    private readonly requestPolicy: RequestPolicy,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    // The built-in second factor is checked by PasswordLogin, as on every password path; this is the app's own step.
    this.step = findAppProvider(this.moduleRef, PasswordGrantStep);
  }

  override isEnabled(): boolean {
    return this.settings.passwordGrant;
  }

  /** The password grant reads accounts: a missing `UserDirectory` fails the boot. It warns that it is on. */
  override assertUsable(): void {
    this.login.users();
    new Logger('nest-warden').warn(
      'tokens.passwordGrant is on: the token endpoint accepts grant_type=password. RFC 9700 (OAuth 2.0 Security BCP) §2.4 says ' +
        'the resource owner password credentials grant MUST NOT be used; move clients to authorization_code with PKCE.',
    );
  }

  async handle({ request, parameters, client, confirmation }: TokenGrantContext): Promise<TokenSet> {
    const username = parameters.require('username');
    const password = parameters.require('password');
    if (username.length > MAX_USERNAME_LENGTH) throw new OAuthError('invalid_request', 'The username is too long');
    if (password.length > MAX_PASSWORD_LENGTH) throw new OAuthError('invalid_request', 'The password is too long');
    const requested = this.requestedScopes(parameters.get('scope'), client.scopes);
    const code = parameters.get('otp');
    const recoveryCode = parameters.get('recovery_code');
    const { account, amr: proved } = await this.login.signIn({
      username,
      password,
      clientAddress: this.requestPolicy.clientAddress(request),
      channel: 'token',
      secondFactor: code !== undefined ? { code } : recoveryCode !== undefined ? { recoveryCode } : undefined,
    });
    const amr = [...proved];
    if (this.step) amr.push(...(await this.step.verify(account, parameters, request)));
    const grantable = this.tokens.grantableScopes(account, client);
    const refused = requested?.find((scope) => !grantable.includes(scope));
    if (refused) throw new OAuthError('invalid_scope', `The scope "${refused}" cannot be granted to this user`);
    return this.tokens.issue(account, {
      clientId: client.id,
      scopes: requested ?? grantable,
      amr: [...new Set(amr)],
      grantType: this.grantType,
      clientAddress: this.requestPolicy.clientAddress(request),
      confirmation,
    });
  }

  /** The `scope` parameter checked as far as it can be before the password is: syntax, server, client. */
  private requestedScopes(value: string | undefined, clientScopes: ReadonlySet<string> | undefined): string[] | undefined {
    if (value === undefined) return undefined;
    const scopes = parseScope(value);
    if (!scopes) throw new OAuthError('invalid_scope', 'The scope parameter is malformed');
    const known = this.settings.knownScopes;
    const unknown = scopes.find((scope) => (known && !known.has(scope)) || (clientScopes && !clientScopes.has(scope)));
    if (unknown) throw new OAuthError('invalid_scope', `The scope "${unknown}" cannot be granted`);
    return scopes;
  }
}
