import { HttpStatus, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { findAppProvider } from '../../di/find-app-provider.js';
import { Clock } from '../../clock/clock.js';
import { AuthError } from '../../errors/auth.error.js';
import { AuthConfigurationError } from '../../errors/configuration.error.js';
import { retryAfterSeconds } from '../../errors/retry-after.js';
import { PasswordLogin } from '../../login/password-login.js';
import { SecondFactor, type SecondFactorProof } from '../../login/second-factor.js';
import { RequestPolicy } from '../../network/request-policy.js';
import type { Principal } from '../../principal/principal.js';
import { type AuthRequest, readCookie } from '../../request/auth-request.js';
import { isCrossOrigin } from '../../sessions/cross-origin.js';
import { SessionCookies } from '../../sessions/session-cookies.js';
import { SessionService } from '../../sessions/session.service.js';
import { failClosed } from '../../stores/fail-closed.js';
import type { UserAccount } from '../../users/user-directory.js';
import { AuthorizationCodes, isS256Challenge } from '../issuance/authorization-codes.js';
import { TokenService } from '../issuance/token.service.js';
import { parseScope } from '../scopes.js';
import { mayUseGrant, type TokenClient, TokenSettings } from '../token-settings.js';
import type { FormRequest } from '../grants/token-request.js';
import { TokenGrants } from '../grants/token-grants.js';
import { AuthorizationLoginPage, DefaultAuthorizationLoginPage } from './authorization-login-page.js';
import type { EndpointAnswer } from './token-endpoint.js';
import { MountedTokenPaths } from './mounted-token-paths.js';

/** The authorization request's parameters that the sign-in form carries along. */
const REQUEST_PARAMETERS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
] as const;
type RequestParameter = (typeof REQUEST_PARAMETERS)[number];
const MAX_VALUE_LENGTH = 2048;
const CSRF_FIELD = 'csrf_token';

/** An authorization request whose client and redirect URI are known good: errors may now be redirected. */
interface ValidRequest {
  readonly client: TokenClient;
  readonly redirectUri: string;
  readonly state: string | undefined;
  readonly params: Readonly<Partial<Record<RequestParameter, string>>>;
}

class PageError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

class RedirectError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

const PAGE_HEADERS: readonly (readonly [string, string])[] = [
  ['Content-Type', 'text/html; charset=utf-8'],
  ['Cache-Control', 'no-store'],
  ['Pragma', 'no-cache'],
  ['X-Frame-Options', 'DENY'],
  ['Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"],
  ['Referrer-Policy', 'no-referrer'],
];

/**
 * The authorization endpoint (RFC 6749 §3.1, §4.1) for the authorization code grant with PKCE:
 * the client and its redirect URI are checked first (exact match; any failure there is a 400 page,
 * never a redirect to an unregistered URI); then the user signs in with the module's cookie session
 * (password through `PasswordLogin`: lockout and equal timing; the second factor when enrolled;
 * login CSRF defence), optionally approves the client, and is redirected back with a code, the
 * `state`, and `iss` (RFC 9207).
 */
@Injectable()
export class AuthorizationEndpoint implements OnApplicationBootstrap {
  private readonly logger = new Logger('nest-warden');
  private pages: AuthorizationLoginPage = new DefaultAuthorizationLoginPage();

  constructor(
    private readonly settings: TokenSettings,
    private readonly grants: TokenGrants,
    private readonly codes: AuthorizationCodes,
    private readonly tokens: TokenService,
    private readonly sessions: SessionService,
    private readonly cookies: SessionCookies,
    private readonly login: PasswordLogin,
    private readonly secondFactor: SecondFactor,
    private readonly requestPolicy: RequestPolicy,
    private readonly paths: MountedTokenPaths,
    private readonly moduleRef: ModuleRef,
    private readonly adapterHost: HttpAdapterHost,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.pages = findAppProvider(this.moduleRef, AuthorizationLoginPage) ?? this.pages;
  }

  /** Called by the controller at boot: clients with redirect URIs need cookie sessions (the sign-in step). */
  assertUsable(): void {
    this.settings.require('The authorization endpoint');
    const browserClient = [...this.settings.clients.values()].find(
      (client) => client.redirectUris.length > 0,
    );
    if (browserClient && !this.sessions.enabled) {
      throw AuthConfigurationError.create(
        `tokens.clients "${browserClient.id}" has redirectUris, but users sign in at the authorization endpoint with a cookie session, and the session option is missing.`,
        'Add session: {} to AuthModule.forRoot() (and a UserDirectory provider), or set tokenEndpoints: { authorize: false }.',
      );
    }
    if (browserClient) this.login.users();
  }

  /** `GET`: sign-in page, consent page, or the redirect with a code. */
  async authorize(request: AuthRequest, response: unknown): Promise<EndpointAnswer> {
    let valid: ValidRequest | undefined;
    try {
      valid = this.validate(readParameters(request.query));
      const checked = this.checkRequest(valid);
      const principal = await this.signedIn(request);
      if (!principal) return this.loginPage(valid, request, response, checked.scopes);
      if (!(await this.hasSecondFactorIfEnrolled(principal))) {
        // A session from a password-only login (POST /auth/session) must not skip the enrolled second factor here.
        return this.loginPage(
          valid,
          request,
          response,
          checked.scopes,
          'Sign in again with the code from your authenticator app.',
          principal.username,
        );
      }
      return await this.complete(valid, principal, request, response);
    } catch (error) {
      return this.failure(error, valid);
    }
  }

  /** `POST`: the sign-in form (or the consent form), then back to `GET` with the session. */
  async submit(request: FormRequest, response: unknown): Promise<EndpointAnswer> {
    let valid: ValidRequest | undefined;
    try {
      const body = readParameters(request.body);
      valid = this.validate(body);
      const checked = this.checkRequest(valid);
      if (
        isCrossOrigin(request, this.sessions.settings.trustedOrigins) ||
        !this.csrfMatches(request, body[CSRF_FIELD])
      ) {
        throw new PageError(
          'access_denied',
          'The sign-in form expired or came from another site. Go back and try again.',
        );
      }
      if (body.consent !== undefined) return await this.consent(valid, body.consent, request, response);
      const username = body.username ?? '';
      const password = body.password ?? '';
      if (!username || !password || username.length > 256 || password.length > 4096) {
        return this.loginPage(
          valid,
          request,
          response,
          checked.scopes,
          'Enter your username and password.',
          username,
          HttpStatus.BAD_REQUEST,
        );
      }
      let account: UserAccount;
      let amr: readonly string[];
      try {
        // One policy for every password path (PasswordLogin): an enrolled account completes its second
        // factor here, and a missing or wrong code gets the wrong-password answer.
        ({ account, amr } = await this.login.signIn({
          username,
          password,
          clientAddress: this.requestPolicy.clientAddress(request),
          channel: 'authorize',
          secondFactor: secondFactorProof(body.otp),
        }));
      } catch (error) {
        const authError = failClosed(error);
        if (!AuthError.isAuthError(authError) || authError.code === 'unavailable') throw authError;
        if (authError.code === 'locked') {
          const answer = this.loginPage(
            valid,
            request,
            response,
            checked.scopes,
            'Too many failed attempts. Try again later.',
            username,
            HttpStatus.TOO_MANY_REQUESTS,
          );
          const retry = authError.retryAfterSeconds;
          return retry === undefined
            ? answer
            : { ...answer, headers: [...answer.headers, ['Retry-After', String(retryAfterSeconds(retry))]] };
        }
        return this.loginPage(
          valid,
          request,
          response,
          checked.scopes,
          'Invalid username or password, or code.',
          username,
          HttpStatus.UNAUTHORIZED,
        );
      }
      const session = await this.sessions.create(account, {
        amr: [...new Set(amr)],
        replaces: this.cookies.read(request),
      });
      this.cookies.set(response, session.id);
      return redirect(this.selfUrl(valid.params));
    } catch (error) {
      return this.failure(error, valid);
    }
  }

  /** RFC 6749 §4.1.2.1: the client and redirect URI first; until both are good, nothing redirects. */
  private validate(params: Partial<Record<string, string>>): ValidRequest {
    const clientId = params.client_id;
    const client = clientId === undefined ? undefined : this.settings.clients.get(clientId);
    if (!client) throw new PageError('invalid_client', 'The application is not known here.');
    const redirectUri =
      params.redirect_uri ?? (client.redirectUris.length === 1 ? client.redirectUris[0] : undefined);
    // Exact string comparison (RFC 9700 §4.1.3): no prefix match, no extra query, no normalization.
    if (redirectUri === undefined || !client.redirectUris.includes(redirectUri)) {
      throw new PageError('invalid_request', 'The redirect URI is not registered for this application.');
    }
    const own: Partial<Record<RequestParameter, string>> = {};
    for (const name of REQUEST_PARAMETERS) if (params[name] !== undefined) own[name] = params[name];
    return { client, redirectUri, state: params.state, params: own };
  }

  /** The rest of the request; failures here are redirected to the (registered) redirect URI. */
  private checkRequest(valid: ValidRequest): { scopes: readonly string[] | undefined } {
    const { params, client } = valid;
    if (params.response_type !== 'code')
      throw new RedirectError('unsupported_response_type', 'Only response_type=code is supported');
    if (!this.grants.get('authorization_code') || !mayUseGrant(client, 'authorization_code')) {
      throw new RedirectError('unauthorized_client', 'The client may not use the authorization code grant');
    }
    if (params.code_challenge === undefined)
      throw new RedirectError(
        'invalid_request',
        'PKCE is required: send code_challenge with code_challenge_method=S256',
      );
    if (params.code_challenge_method !== 'S256')
      throw new RedirectError(
        'invalid_request',
        'code_challenge_method must be S256 (plain is not accepted)',
      );
    if (!isS256Challenge(params.code_challenge))
      throw new RedirectError('invalid_request', 'code_challenge is malformed');
    if (params.scope === undefined) return { scopes: undefined };
    const scopes = parseScope(params.scope);
    if (!scopes) throw new RedirectError('invalid_scope', 'The scope parameter is malformed');
    const known = this.settings.knownScopes;
    const beyond = scopes.find(
      (scope) => (known && !known.has(scope)) || (client.scopes && !client.scopes.has(scope)),
    );
    if (beyond) throw new RedirectError('invalid_scope', `The scope "${beyond}" cannot be granted`);
    return { scopes };
  }

  /** The signed-in user of the session cookie, if any (an expired or unknown cookie: nobody). */
  private async signedIn(request: AuthRequest): Promise<Principal | undefined> {
    if (!this.sessions.enabled) return undefined;
    const cookie = this.cookies.read(request);
    if (cookie === undefined) return undefined;
    try {
      return await this.sessions.authenticate(cookie, request);
    } catch (error) {
      const authError = failClosed(error);
      if (AuthError.isAuthError(authError) && authError.code !== 'unavailable') return undefined;
      throw authError;
    }
  }

  /** Signed in: consent if the client asks for it, else a code. */
  private async complete(
    valid: ValidRequest,
    principal: Principal,
    request: AuthRequest,
    response: unknown,
  ): Promise<EndpointAnswer> {
    const account = await this.login.users().findById(principal.id);
    if (!account || account.disabled) throw new RedirectError('access_denied', 'The account cannot sign in');
    const scopes = this.grantedScopes(valid, account);
    if (valid.client.consent) {
      return this.page(
        HttpStatus.OK,
        this.pages.renderConsent({
          action: this.paths.path('authorize')!,
          hiddenFields: { ...valid.params, [CSRF_FIELD]: this.loginCsrf(request, response) },
          clientId: valid.client.id,
          scopes,
          username: account.username,
        }),
      );
    }
    return await this.issueCode(valid, principal, scopes);
  }

  private async consent(
    valid: ValidRequest,
    decision: string,
    request: AuthRequest,
    response: unknown,
  ): Promise<EndpointAnswer> {
    // The consent form passed this endpoint's own CSRF checks (origin, double-submit token) already;
    // the session is read as on the GET that showed the form (the session's CSRF header is for API calls).
    const principal = await this.signedIn(
      Object.create(request, { method: { value: 'GET' } }) as AuthRequest,
    );
    if (!principal || !(await this.hasSecondFactorIfEnrolled(principal)))
      return this.loginPage(valid, request, response, this.checkRequest(valid).scopes);
    if (decision !== 'approve') throw new RedirectError('access_denied', 'The user denied the request');
    const account = await this.login.users().findById(principal.id);
    if (!account || account.disabled) throw new RedirectError('access_denied', 'The account cannot sign in');
    return this.issueCode(valid, principal, this.grantedScopes(valid, account));
  }

  private grantedScopes(valid: ValidRequest, account: UserAccount): string[] {
    const grantable = this.tokens.grantableScopes(account, valid.client);
    const requested = valid.params.scope === undefined ? undefined : parseScope(valid.params.scope)!;
    const refused = requested?.find((scope) => !grantable.includes(scope));
    if (refused)
      throw new RedirectError('invalid_scope', `The scope "${refused}" cannot be granted to this user`);
    return requested ?? grantable;
  }

  private async issueCode(
    valid: ValidRequest,
    principal: Principal,
    scopes: readonly string[],
  ): Promise<EndpointAnswer> {
    const code = await this.codes.create({
      clientId: valid.client.id,
      redirectUri: valid.redirectUri,
      codeChallenge: valid.params.code_challenge!,
      userId: principal.id,
      scopes,
      amr: principal.amr ?? ['pwd'],
      authTime: await this.authTime(principal),
      grantId: randomBytes(16).toString('base64url'),
    });
    return redirect(this.clientRedirect(valid, { code }));
  }

  /** When the user signed in: the session's start. */
  private async authTime(principal: Principal): Promise<number> {
    const info = principal.sessionId ? await this.sessions.describe(principal.sessionId) : null;
    return info?.createdAt ?? this.clock.now();
  }

  /** An enrolled user's session must show the second factor (`amr` has `otp` or `mfa`) before a code is issued. */
  private async hasSecondFactorIfEnrolled(principal: Principal): Promise<boolean> {
    // `mfa`: a sign-in that was multi-factor by itself (a user-verified passkey, RFC 8176).
    if (!this.secondFactor.enabled || principal.amr?.includes('otp') || principal.amr?.includes('mfa')) return true;
    return !(await this.secondFactor.isEnrolled(principal.id));
  }

  private loginPage(
    valid: ValidRequest,
    request: AuthRequest,
    response: unknown,
    scopes: readonly string[] | undefined,
    error?: string,
    username?: string,
    status: number = HttpStatus.OK,
  ): EndpointAnswer {
    const html = this.pages.renderLogin({
      action: this.paths.path('authorize')!,
      hiddenFields: { ...valid.params, [CSRF_FIELD]: this.loginCsrf(request, response) },
      clientId: valid.client.id,
      scopes: scopes ?? [],
      error,
      askCode: this.secondFactor.enabled,
      username,
    });
    return this.page(status, html);
  }

  /**
   * Login CSRF (double submit): a random token in a cookie of its own and in the form. A cross-site
   * form cannot read the cookie, so it cannot send the matching field. The browser's token is kept,
   * so sign-ins open in two tabs both work.
   */
  private loginCsrf(request: AuthRequest, response: unknown): string {
    const existing = readCookie(request, this.csrfCookie());
    if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
    const token = randomBytes(32).toString('base64url');
    const cookie = this.sessions.settings.cookie;
    this.adapterHost.httpAdapter.setCookie(response, this.csrfCookie(), token, { ...cookie, maxAge: 3600 });
    return token;
  }

  private csrfMatches(request: AuthRequest, sent: string | undefined): boolean {
    const expected = readCookie(request, this.csrfCookie());
    if (!expected || !sent || expected.length !== sent.length) return false;
    return timingSafeEqual(Buffer.from(expected), Buffer.from(sent));
  }

  private csrfCookie(): string {
    return `${this.sessions.settings.cookieName}-authorize`;
  }

  private page(status: number, html: string): EndpointAnswer {
    return { status, headers: PAGE_HEADERS, body: html };
  }

  /** The registered redirect URI with the answer's parameters, `state` and `iss` (RFC 9207) added. */
  private clientRedirect(valid: ValidRequest, answer: Readonly<Record<string, string>>): string {
    const url = new URL(valid.redirectUri);
    for (const [name, value] of Object.entries(answer)) url.searchParams.append(name, value);
    if (valid.state !== undefined) url.searchParams.append('state', valid.state);
    url.searchParams.append('iss', this.settings.issuer);
    return url.toString();
  }

  private selfUrl(params: Readonly<Partial<Record<RequestParameter, string>>>): string {
    const query = new URLSearchParams(params as Record<string, string>).toString();
    return `${this.paths.path('authorize')!}?${query}`;
  }

  private failure(error: unknown, valid: ValidRequest | undefined): EndpointAnswer {
    if (error instanceof RedirectError && valid) {
      return redirect(
        this.clientRedirect(valid, { error: error.error, error_description: error.description }),
      );
    }
    if (error instanceof PageError || error instanceof RedirectError) {
      return this.page(
        HttpStatus.BAD_REQUEST,
        this.pages.renderError({ error: error.error, description: error.description }),
      );
    }
    const authError = failClosed(error);
    if (AuthError.isAuthError(authError) && authError.code === 'unavailable') {
      this.logger.error(
        `Authorization endpoint unavailable: ${authError.message}`,
        (authError.cause as Error | undefined)?.stack,
      );
      if (valid)
        return redirect(
          this.clientRedirect(valid, {
            error: 'temporarily_unavailable',
            error_description: 'Try again later',
          }),
        );
      return this.page(
        HttpStatus.SERVICE_UNAVAILABLE,
        this.pages.renderError({ error: 'temporarily_unavailable', description: 'Try again later.' }),
      );
    }
    throw authError;
  }
}

function redirect(location: string): EndpointAnswer {
  return {
    status: HttpStatus.SEE_OTHER,
    headers: [
      ['Location', location],
      ['Cache-Control', 'no-store'],
    ],
  };
}

/** Query or form parameters, each at most once; repeated or non-string values are refused. */
function readParameters(source: unknown): Partial<Record<string, string>> {
  const values: Record<string, string> = {};
  if (source === undefined || source === null) return values;
  if (typeof source !== 'object') throw new PageError('invalid_request', 'The request could not be read.');
  for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
    if (typeof value !== 'string')
      throw new PageError(
        'invalid_request',
        `The parameter "${name.slice(0, 40)}" is repeated or malformed.`,
      );
    if (value.length > MAX_VALUE_LENGTH)
      throw new PageError('invalid_request', `The parameter "${name.slice(0, 40)}" is too long.`);
    if (value.length > 0) values[name] = value;
  }
  return values;
}

/** The login page's one code field: a TOTP code (6 to 8 digits) or else a recovery code. */
function secondFactorProof(otp: string | undefined): SecondFactorProof | undefined {
  if (otp === undefined || otp.length === 0) return undefined;
  return /^\d{6,8}$/.test(otp) ? { code: otp } : { recoveryCode: otp.slice(0, 64) };
}
