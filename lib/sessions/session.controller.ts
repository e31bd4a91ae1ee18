import {
  Controller,
  Get,
  Header,
  HttpCode,
  type OnModuleInit,
  Post,
  Req,
  Res,
  type Type,
} from '@nestjs/common';
import { Auth } from '../decorators/auth.decorator.js';
import { Public } from '../decorators/public.decorator.js';
import { AuthError } from '../errors/auth.error.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import type { AuthRequest } from '../request/auth-request.js';
import { HttpDenials } from '../http/http-denials.js';
import { defineRoute } from '../http/define-route.js';
import { readJsonObject, requireString } from '../request/json-body.js';
import { getPrincipal } from '../request/request-state.js';
import { PasswordLogin } from '../login/password-login.js';
import { SecondFactor, wrongCodeIsBadRequest } from '../login/second-factor.js';
import type { Principal } from '../principal/principal.js';
import { UserRevocation } from '../revocation/user-revocation.js';
import { isCrossOrigin } from './cross-origin.js';
import { sessionChallenge } from './session-challenge.js';
import { SessionCookies } from './session-cookies.js';
import type { SessionEndpoints } from './session.options.js';
import { SessionService } from './session.service.js';
import { RequestPolicy } from '../network/request-policy.js';

type JsonRequest = AuthRequest & { readonly body?: unknown };

/** Builds the session controller with the routes and paths chosen in `sessionEndpoints`. */
export function createSessionController(paths: SessionEndpoints): Type {
  @Controller()
  class SessionController implements OnModuleInit {
    constructor(
      private readonly sessions: SessionService,
      private readonly cookies: SessionCookies,
      private readonly passwords: PasswordLogin,
      private readonly secondFactor: SecondFactor,
      private readonly revocation: UserRevocation,
      private readonly denials: HttpDenials,
      private readonly requestPolicy: RequestPolicy,
    ) {}

    /** For 401s: the session cookie's challenge. */
    private challenges(): string[] {
      return [sessionChallenge(this.denials.realm, this.sessions.settings.cookieName)];
    }

    onModuleInit(): void {
      if (!this.sessions.enabled) {
        throw AuthConfigurationError.create(
          'sessionEndpoints are mounted but the session option is missing.',
          'Add session: {} (or your session options) to AuthModule.forRoot(), or remove sessionEndpoints.',
        );
      }
    }

    /**
     * Password login (`{ username, password }`, plus `code` or `recoveryCode` for an account with a
     * second factor) → new session (never the one the request came with) → `{ csrfToken }`.
     */
    async login(@Req() request: JsonRequest, @Res({ passthrough: true }) response: unknown): Promise<{ csrfToken: string }> {
      if (isCrossOrigin(request, this.sessions.settings.trustedOrigins)) {
        this.denials.deny(new AuthError('forbidden', { description: 'Cross-site request refused' }), response); // login CSRF
      }
      const body = readJsonObject(request);
      const username = requireString(body, 'username', 256);
      const password = requireString(body, 'password', 4096);
      // An account with a second factor sends it here, with the password (mfa.passwordLogins, default 'require').
      const code = body.code === undefined ? undefined : requireString(body, 'code', 16);
      const recoveryCode = body.recoveryCode === undefined ? undefined : requireString(body, 'recoveryCode', 64);
      try {
        const { account, amr } = await this.passwords.signIn({
          username,
          password,
          clientAddress: this.requestPolicy.clientAddress(request),
          channel: 'session',
          secondFactor: code !== undefined ? { code } : recoveryCode !== undefined ? { recoveryCode } : undefined,
        });
        const session = await this.sessions.create(account, { amr, replaces: this.cookies.read(request) });
        this.cookies.set(response, session.id);
        return { csrfToken: session.csrfToken };
      } catch (error) {
        this.denials.rethrow(error, response, this.challenges());
      }
    }

    /** The session as its client may see it, with the CSRF token (e.g. after a page reload). */
    async current(@Req() request: AuthRequest, @Res({ passthrough: true }) response: unknown) {
      try {
        const info = await this.sessions.describe(this.principal(request).sessionId!);
        if (!info) throw new AuthError('invalid_credentials', { description: 'Session expired or invalid' });
        return {
          userId: info.userId,
          username: info.username,
          amr: info.amr,
          csrfToken: info.csrfToken,
          expiresAt: new Date(info.expiresAt).toISOString(),
        };
      } catch (error) {
        this.denials.rethrow(error, response, this.challenges());
      }
    }

    async logout(@Req() request: AuthRequest, @Res({ passthrough: true }) response: unknown): Promise<void> {
      try {
        await this.sessions.destroy(this.principal(request).sessionId!);
        this.cookies.clear(response);
      } catch (error) {
        this.denials.rethrow(error, response, this.challenges());
      }
    }

    async logoutEverywhere(@Req() request: AuthRequest, @Res({ passthrough: true }) response: unknown): Promise<void> {
      try {
        await this.revocation.revokeUser(this.principal(request).id, 'logout-everywhere');
        this.cookies.clear(response);
      } catch (error) {
        this.denials.rethrow(error, response, this.challenges());
      }
    }

    /** Step-up: a TOTP or recovery code → a new session whose `amr` includes `otp`. */
    async mfa(@Req() request: JsonRequest, @Res({ passthrough: true }) response: unknown): Promise<{ csrfToken: string }> {
      if (!this.secondFactor.enabled) {
        this.denials.deny(new AuthError('not_found', { description: 'Two-factor authentication is not enabled' }), response);
      }
      const body = readJsonObject(request);
      const code = body.code === undefined ? undefined : requireString(body, 'code', 16);
      const recoveryCode = body.recoveryCode === undefined ? undefined : requireString(body, 'recoveryCode', 64);
      const principal = this.principal(request);
      try {
        const amr = await this.secondFactor.verifySecondFactor(principal.id, { code, recoveryCode });
        const session = await this.sessions.stepUp(principal.sessionId!, ...amr);
        this.cookies.set(response, session.id);
        return { csrfToken: session.csrfToken };
      } catch (error) {
        this.denials.rethrow(wrongCodeIsBadRequest(error), response);
      }
    }

    private principal(request: AuthRequest): Principal {
      return getPrincipal(request)!; // set by the guard: every route here but login requires a session
    }
  }

  const noStore = Header('Cache-Control', 'no-store');
  if (paths.login) defineRoute(SessionController, 'login', Public(), Post(paths.login), HttpCode(200), noStore);
  if (paths.current) defineRoute(SessionController, 'current', Auth('session'), Get(paths.current), noStore);
  if (paths.logout) defineRoute(SessionController, 'logout', Auth('session'), Post(paths.logout), HttpCode(204));
  if (paths.logoutEverywhere) {
    defineRoute(SessionController, 'logoutEverywhere', Auth('session'), Post(paths.logoutEverywhere), HttpCode(204));
  }
  if (paths.mfa) defineRoute(SessionController, 'mfa', Auth('session'), Post(paths.mfa), HttpCode(200), noStore);
  return SessionController;
}
