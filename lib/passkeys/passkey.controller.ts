import { Controller, Delete, Get, Header, HttpCode, NotFoundException, type OnModuleInit, Param, Patch, Post, Req, Res, type Type } from '@nestjs/common';
import { Auth } from '../decorators/auth.decorator.js';
import { Public } from '../decorators/public.decorator.js';
import { AuthError } from '../errors/auth.error.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { defineRoute } from '../http/define-route.js';
import { HttpDenials } from '../http/http-denials.js';
import { wrongCodeIsBadRequest } from '../login/second-factor.js';
import { RequestPolicy } from '../network/request-policy.js';
import type { Principal } from '../principal/principal.js';
import type { AuthRequest } from '../request/auth-request.js';
import { readJsonObject, requireString } from '../request/json-body.js';
import { getPrincipal } from '../request/request-state.js';
import { isCrossOrigin } from '../sessions/cross-origin.js';
import { sessionChallenge } from '../sessions/session-challenge.js';
import { SessionCookies } from '../sessions/session-cookies.js';
import { SessionService } from '../sessions/session.service.js';
import type { PasskeyEndpoints } from './passkey.options.js';
import { PasskeyService } from './passkey.service.js';

type JsonRequest = AuthRequest & { readonly body?: unknown };

const NAME_MAX = 64;

/** Builds the passkey controller with the routes and paths chosen in `passkeyEndpoints`. */
export function createPasskeyController(paths: PasskeyEndpoints): Type {
  @Controller()
  class PasskeyController implements OnModuleInit {
    constructor(
      private readonly passkeys: PasskeyService,
      private readonly sessions: SessionService,
      private readonly cookies: SessionCookies,
      private readonly denials: HttpDenials,
      private readonly requestPolicy: RequestPolicy,
    ) {}

    onModuleInit(): void {
      if (!this.passkeys.enabled) {
        throw AuthConfigurationError.create(
          'passkeyEndpoints are mounted but the passkeys option is missing.',
          'Add passkeys: { rpId, origins } to AuthModule.forRoot(), or remove passkeyEndpoints.',
        );
      }
      if ((paths.authentication || paths.stepUp) && !this.sessions.enabled) {
        throw AuthConfigurationError.create(
          'passkey sign-in and step-up start sessions, but the session option is missing.',
          'Add session: {} to AuthModule.forRoot(), or set authentication and stepUp to false in passkeyEndpoints.',
        );
      }
    }

    async registrationOptions(@Req() request: AuthRequest, @Res({ passthrough: true }) response: unknown) {
      const principal = this.principal(request);
      try {
        return await this.passkeys.registrationOptions({ id: principal.id, username: principal.username });
      } catch (error) {
        this.denials.rethrow(error, response);
      }
    }

    async register(@Req() request: JsonRequest, @Res({ passthrough: true }) response: unknown) {
      const body = readJsonObject(request);
      const name = body.name === undefined ? undefined : requireString(body, 'name', NAME_MAX);
      try {
        return await this.passkeys.register(this.principal(request).id, body.response, name);
      } catch (error) {
        this.denials.rethrow(error, response);
      }
    }

    async authenticationOptions(@Req() request: JsonRequest, @Res({ passthrough: true }) response: unknown) {
      const body = readJsonObject(request);
      const username = body.username === undefined ? undefined : requireString(body, 'username', 256);
      try {
        return await this.passkeys.authenticationOptions(username);
      } catch (error) {
        this.denials.rethrow(error, response);
      }
    }

    /** A passkey assertion → a new session (never the one the request came with) → `{ csrfToken, amr }`. */
    async authenticate(@Req() request: JsonRequest, @Res({ passthrough: true }) response: unknown) {
      if (isCrossOrigin(request, this.sessions.settings.trustedOrigins)) {
        this.denials.deny(new AuthError('forbidden', { description: 'Cross-site request refused' }), response); // login CSRF
      }
      const body = readJsonObject(request);
      try {
        const signedIn = await this.passkeys.signIn(body.response, this.requestPolicy.clientAddress(request));
        const session = await this.sessions.create(signedIn.account, { amr: signedIn.amr, replaces: this.cookies.read(request) });
        this.cookies.set(response, session.id);
        return { csrfToken: session.csrfToken, amr: signedIn.amr };
      } catch (error) {
        this.denials.rethrow(error, response, [sessionChallenge(this.denials.realm, this.sessions.settings.cookieName)]);
      }
    }

    async stepUpOptions(@Req() request: AuthRequest, @Res({ passthrough: true }) response: unknown) {
      try {
        return await this.passkeys.stepUpOptions(this.principal(request).id);
      } catch (error) {
        this.denials.rethrow(error, response);
      }
    }

    /** A passkey of the signed-in user → a new session whose `amr` adds the passkey's methods. */
    async stepUp(@Req() request: JsonRequest, @Res({ passthrough: true }) response: unknown) {
      const body = readJsonObject(request);
      const principal = this.principal(request);
      try {
        const proof = await this.passkeys.stepUp(principal.id, body.response, this.requestPolicy.clientAddress(request));
        // A password (or one-time code) session plus a passkey is two factors, with or without user verification.
        const twoFactors = proof.amr.includes('mfa') || (principal.amr ?? []).some((method) => method === 'pwd' || method === 'otp');
        const session = await this.sessions.stepUp(principal.sessionId!, ...proof.amr, ...(twoFactors ? ['mfa'] : []));
        this.cookies.set(response, session.id);
        const info = await this.sessions.describe(session.handle);
        return { csrfToken: session.csrfToken, amr: info?.amr ?? [] };
      } catch (error) {
        // A refused passkey on a signed-in route is a 400: a 401 would read as "your session is gone".
        this.denials.rethrow(wrongCodeIsBadRequest(error), response);
      }
    }

    async list(@Req() request: AuthRequest, @Res({ passthrough: true }) response: unknown) {
      try {
        return await this.passkeys.list(this.principal(request).id);
      } catch (error) {
        this.denials.rethrow(error, response);
      }
    }

    async rename(@Req() request: JsonRequest, @Param('id') id: string, @Res({ passthrough: true }) response: unknown) {
      const name = requireString(readJsonObject(request), 'name', NAME_MAX);
      let renamed: boolean;
      try {
        renamed = await this.passkeys.rename(this.principal(request).id, id, name);
      } catch (error) {
        this.denials.rethrow(error, response);
      }
      if (!renamed) throw new NotFoundException('No such passkey');
      return { id, name };
    }

    async remove(@Req() request: AuthRequest, @Param('id') id: string, @Res({ passthrough: true }) response: unknown): Promise<void> {
      let deleted: boolean;
      try {
        deleted = await this.passkeys.delete(this.principal(request).id, id);
      } catch (error) {
        this.denials.rethrow(error, response);
      }
      if (!deleted) throw new NotFoundException('No such passkey');
    }

    private principal(request: AuthRequest): Principal {
      return getPrincipal(request)!; // every route here but the public sign-in ones requires a caller
    }
  }

  const noStore = Header('Cache-Control', 'no-store');
  if (paths.registrationOptions) defineRoute(PasskeyController, 'registrationOptions', Auth(), Post(paths.registrationOptions), HttpCode(200), noStore);
  if (paths.registration) defineRoute(PasskeyController, 'register', Auth(), Post(paths.registration), HttpCode(201), noStore);
  if (paths.authenticationOptions) {
    defineRoute(PasskeyController, 'authenticationOptions', Public(), Post(paths.authenticationOptions), HttpCode(200), noStore);
  }
  if (paths.authentication) defineRoute(PasskeyController, 'authenticate', Public(), Post(paths.authentication), HttpCode(200), noStore);
  if (paths.stepUpOptions) defineRoute(PasskeyController, 'stepUpOptions', Auth('session'), Post(paths.stepUpOptions), HttpCode(200), noStore);
  if (paths.stepUp) defineRoute(PasskeyController, 'stepUp', Auth('session'), Post(paths.stepUp), HttpCode(200), noStore);
  if (paths.manage) {
    const one = `${paths.manage.replace(/\/+$/, '')}/:id`;
    defineRoute(PasskeyController, 'list', Auth(), Get(paths.manage), noStore);
    defineRoute(PasskeyController, 'rename', Auth(), Patch(one), HttpCode(200));
    // Removing a passkey needs a second factor, as turning TOTP off does.
    defineRoute(PasskeyController, 'remove', Auth({ mfa: true }), Delete(one), HttpCode(204));
  }
  return PasskeyController;
}
