import { ConflictException, Controller, Delete, Header, HttpCode, type OnModuleInit, Post, Req, Res, type Type } from '@nestjs/common';
import { Auth } from '../decorators/auth.decorator.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import type { AuthRequest } from '../request/auth-request.js';
import { HttpDenials } from '../http/http-denials.js';
import { defineRoute } from '../http/define-route.js';
import { readJsonObject, requireString } from '../request/json-body.js';
import { getPrincipal } from '../request/request-state.js';
import type { Principal } from '../principal/principal.js';
import type { MfaEndpoints } from './mfa.options.js';
import { TotpAlreadyEnabledError, TotpService } from './totp.service.js';
import { wrongCodeIsBadRequest } from '../login/second-factor.js';

type JsonRequest = AuthRequest & { readonly body?: unknown };

/** Builds the TOTP management controller with the routes and paths chosen in `mfaEndpoints`. */
export function createMfaController(paths: MfaEndpoints): Type {
  @Controller()
  class MfaController implements OnModuleInit {
    constructor(
      private readonly totp: TotpService,
      private readonly denials: HttpDenials,
    ) {}

    onModuleInit(): void {
      if (!this.totp.enabled) {
        throw AuthConfigurationError.create(
          'mfaEndpoints are mounted but the mfa option is missing.',
          'Add mfa: {} (or your MFA options) to AuthModule.forRoot(), or remove mfaEndpoints.',
        );
      }
    }

    async begin(@Req() request: AuthRequest, @Res({ passthrough: true }) response: unknown) {
      const principal = this.principal(request);
      try {
        const started = await this.totp.beginEnrollment(principal.id, principal.username ?? principal.id);
        return { secret: started.secret, uri: started.uri, expiresAt: new Date(started.expiresAt).toISOString() };
      } catch (error) {
        if (error instanceof TotpAlreadyEnabledError) throw new ConflictException(error.message);
        this.denials.rethrow(error, response);
      }
    }

    async confirm(@Req() request: JsonRequest, @Res({ passthrough: true }) response: unknown) {
      const code = requireString(readJsonObject(request), 'code', 16);
      try {
        return await this.totp.confirmEnrollment(this.principal(request).id, code);
      } catch (error) {
        if (error instanceof TotpAlreadyEnabledError) throw new ConflictException(error.message);
        this.denials.rethrow(wrongCodeIsBadRequest(error), response);
      }
    }

    async disable(@Req() request: AuthRequest, @Res({ passthrough: true }) response: unknown): Promise<void> {
      try {
        await this.totp.disable(this.principal(request).id);
      } catch (error) {
        this.denials.rethrow(error, response);
      }
    }

    async recoveryCodes(@Req() request: AuthRequest, @Res({ passthrough: true }) response: unknown) {
      try {
        return await this.totp.regenerateRecoveryCodes(this.principal(request).id);
      } catch (error) {
        this.denials.rethrow(error, response);
      }
    }

    private principal(request: AuthRequest): Principal {
      return getPrincipal(request)!; // every route here requires an authenticated caller
    }
  }

  const noStore = Header('Cache-Control', 'no-store');
  if (paths.totp) {
    defineRoute(MfaController, 'begin', Auth(), Post(paths.totp), HttpCode(200), noStore);
    // Turning the second factor off, or minting new recovery codes, needs the second factor itself.
    defineRoute(MfaController, 'disable', Auth({ mfa: true }), Delete(paths.totp), HttpCode(204));
  }
  if (paths.confirm) defineRoute(MfaController, 'confirm', Auth(), Post(paths.confirm), HttpCode(200), noStore);
  if (paths.recoveryCodes) {
    defineRoute(MfaController, 'recoveryCodes', Auth({ mfa: true }), Post(paths.recoveryCodes), HttpCode(200), noStore);
  }
  return MfaController;
}
