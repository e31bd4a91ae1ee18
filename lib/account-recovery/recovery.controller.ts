import { BadRequestException, Controller, HttpCode, type OnModuleInit, Post, Req, Res, type Type } from '@nestjs/common';
import { Auth } from '../decorators/auth.decorator.js';
import { Public } from '../decorators/public.decorator.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import type { AuthRequest } from '../request/auth-request.js';
import { HttpDenials } from '../http/http-denials.js';
import { defineRoute } from '../http/define-route.js';
import { readJsonObject, requireString } from '../request/json-body.js';
import { getPrincipal } from '../request/request-state.js';
import { EmailVerification } from './email-verification.service.js';
import { PasswordReset } from './password-reset.service.js';
import { RecoveryContext } from './recovery-context.js';
import type { RecoveryEndpoints } from './recovery.options.js';

type JsonRequest = AuthRequest & { readonly body?: unknown };

const RESET_REQUESTED = 'If an account uses this address, a link to reset its password has been sent';
const VERIFICATION_REQUESTED = 'A verification link has been sent to your address';

/** Builds the recovery controller with the routes and paths chosen in `recoveryEndpoints`. */
export function createRecoveryController(paths: RecoveryEndpoints): Type {
  @Controller()
  class RecoveryController implements OnModuleInit {
    constructor(
      private readonly context: RecoveryContext,
      private readonly reset: PasswordReset,
      private readonly verification: EmailVerification,
      private readonly denials: HttpDenials,
    ) {}

    onModuleInit(): void {
      if (!this.context.enabled) {
        throw AuthConfigurationError.create(
          'recoveryEndpoints are mounted but the recovery option is missing.',
          'Add recovery: {} (or your recovery options) to AuthModule.forRoot(), or remove recoveryEndpoints.',
        );
      }
    }

    /** The same status, body and work for every address: nothing tells whether an account exists. */
    async requestReset(@Req() request: JsonRequest, @Res({ passthrough: true }) response: unknown) {
      const email = requireString(readJsonObject(request), 'email', 320);
      if (!email.includes('@')) throw new BadRequestException('"email" must be an email address');
      try {
        await this.reset.request(email);
        return { message: RESET_REQUESTED };
      } catch (error) {
        this.denials.rethrow(error, response);
      }
    }

    async completeReset(@Req() request: JsonRequest, @Res({ passthrough: true }) response: unknown): Promise<void> {
      const body = readJsonObject(request);
      const token = requireString(body, 'token', 128);
      const password = requireString(body, 'password', 4096);
      try {
        await this.reset.complete(token, password);
      } catch (error) {
        this.denials.rethrow(error, response);
      }
    }

    async requestVerification(@Req() request: AuthRequest, @Res({ passthrough: true }) response: unknown) {
      try {
        await this.verification.send(getPrincipal(request)!.id);
        return { message: VERIFICATION_REQUESTED };
      } catch (error) {
        this.denials.rethrow(error, response);
      }
    }

    async confirmVerification(@Req() request: JsonRequest, @Res({ passthrough: true }) response: unknown): Promise<void> {
      const token = requireString(readJsonObject(request), 'token', 128);
      try {
        await this.verification.confirm(token);
      } catch (error) {
        this.denials.rethrow(error, response);
      }
    }
  }

  if (paths.passwordReset) defineRoute(RecoveryController, 'requestReset', Public(), Post(paths.passwordReset), HttpCode(202));
  if (paths.passwordResetConfirm) {
    defineRoute(RecoveryController, 'completeReset', Public(), Post(paths.passwordResetConfirm), HttpCode(204));
  }
  if (paths.emailVerification) {
    defineRoute(RecoveryController, 'requestVerification', Auth(), Post(paths.emailVerification), HttpCode(202));
  }
  if (paths.emailVerificationConfirm) {
    defineRoute(RecoveryController, 'confirmVerification', Public(), Post(paths.emailVerificationConfirm), HttpCode(204));
  }
  return RecoveryController;
}
