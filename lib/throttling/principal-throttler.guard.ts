import { type ExecutionContext, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { ApplicationConfig, Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  type ThrottlerLimitDetail,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  ThrottlerStorage,
} from '@nestjs/throttler';
import { AuthError } from '../errors/auth.error.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { throwHttpDenial } from '../http/http-denials.js';
import type { AuthRequest } from '../request/auth-request.js';
import { getPrincipal } from '../request/request-state.js';
import { AuthGuard } from '../guards/auth.guard.js';
import { addressKey } from '../network/address-list.js';
import { RequestPolicy } from '../network/request-policy.js';
import { CoreSettings } from '../settings/core-settings.js';
import type { Principal } from '../principal/principal.js';
import { AuthStore } from '../stores/auth-store.js';
import { failClosed } from '../stores/fail-closed.js';
import { AuthStoreThrottlerStorage } from './auth-store-throttler.storage.js';

/**
 * `@nestjs/throttler`'s guard, counting per authenticated principal: two API keys (or users) behind one
 * address get independent budgets, and one key cannot escape its budget by changing address. Callers
 * without a principal (public routes, anonymous `@OptionalAuth()`) are counted per client address —
 * IPv6 per /64, through `trustProxy` — so it must run AFTER nest-warden's `AuthGuard`: import
 * `PrincipalThrottlerModule` after `AuthModule`, or apply it with `@UseGuards()`. A global registration
 * that would run first is refused at boot.
 *
 * 429 answers keep throttler's `Retry-After` and go through nest-warden's error shaping (`errorResponse`).
 *
 * Budgets are counted in nest-warden's store (`AuthStoreThrottlerStorage` on `AuthStore`), so with
 * `RedisStore` a limit holds in total across instances; a `storage` given to `ThrottlerModule` wins.
 * When the store cannot be reached the guard fails closed: 503 with `Retry-After`.
 */
@Injectable()
export class PrincipalThrottlerGuard extends ThrottlerGuard implements OnApplicationBootstrap {
  private readonly outageLogger = new Logger('nest-warden');

  /** Created by Nest; not part of the public API. @internal */
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storageService: ThrottlerStorage,
    reflector: Reflector,
    private readonly applicationConfig: ApplicationConfig,
    // Optional so the guard also works where AuthModule is not global (isGlobal: false).
    @Optional() private readonly authOptions?: CoreSettings,
    @Optional() private readonly requestPolicy?: RequestPolicy,
    @Optional() authStore?: AuthStore,
  ) {
    super(options, budgetStorage(options, storageService, authStore), reflector);
  }

  /** Global guards run in registration order; this one needs the principal `AuthGuard` attaches. */
  onApplicationBootstrap(): void {
    const guards = this.applicationConfig.getGlobalGuards();
    const mine = guards.indexOf(this);
    const auth = guards.findIndex((guard) => guard instanceof AuthGuard);
    if (mine !== -1 && auth !== -1 && mine < auth) {
      throw AuthConfigurationError.create(
        'PrincipalThrottlerGuard is a global guard that runs before AuthGuard, so it would never see a principal ' +
          '(global guards run in the order their modules are registered, and the root module comes first).',
        'Remove it from your root module\'s providers and import PrincipalThrottlerModule after AuthModule: ' +
          'imports: [AuthModule.forRoot(...), ThrottlerModule.forRoot(...), PrincipalThrottlerModule].',
      );
    }
  }

  /** An unreachable store denies the request (503 + `Retry-After`) rather than letting it through uncounted. */
  protected override async handleRequest(requestProps: ThrottlerRequest): Promise<boolean> {
    try {
      return await super.handleRequest(requestProps);
    } catch (error) {
      const denial = failClosed(error, { description: 'Rate limiting is temporarily unavailable' });
      if (!AuthError.isAuthError(denial)) throw denial;
      this.outageLogger.error(`Refused a request: ${denial.message}`, (denial.cause as Error | undefined)?.stack);
      const { res } = this.getRequestResponse(requestProps.context);
      throwHttpDenial(denial, this.authOptions?.errorResponse ?? 'nest', (name, value) => this.setResponseHeader(res, name, value));
    }
  }

  /** `principal:<id>` for authenticated callers, `address:<ip, IPv6 /64, or raw:hash for a non-IP value>` for the others. */
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const authRequest = request as unknown as AuthRequest;
    const principal = getPrincipal(authRequest);
    if (principal) return this.principalTracker(principal);
    const address = this.requestPolicy ? this.requestPolicy.clientAddress(authRequest) : authRequest.ip;
    // One parser for every feature keying on addresses; no address at all (the socket is gone) is `none`.
    return `address:${addressKey(address) ?? 'none'}`;
  }

  /**
   * The budget a principal draws from. Override to split it further, e.g. per strategy
   * (`${principal.strategy}:${principal.id}`) or per OAuth client (`principal.clientId`).
   */
  protected principalTracker(principal: Principal): string {
    return `principal:${principal.id}`;
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const custom = Array.isArray(this.options) ? undefined : this.options.errorMessage;
    const description = custom ? await this.getErrorMessage(context, detail) : undefined;
    const error = new AuthError('rate_limited', { description, retryAfterSeconds: detail.timeToBlockExpire });
    const { res } = this.getRequestResponse(context);
    throwHttpDenial(error, this.authOptions?.errorResponse ?? 'nest', (name, value) => this.setResponseHeader(res, name, value));
  }
}

/**
 * Where budgets are counted: the `storage` given to `ThrottlerModule` if any, else nest-warden's
 * store (shared by every instance with `RedisStore`), else throttler's in-process default (when
 * `AuthModule` is not visible here, e.g. `isGlobal: false`).
 */
function budgetStorage(options: ThrottlerModuleOptions, fallback: ThrottlerStorage, store: AuthStore | undefined): ThrottlerStorage {
  const configured = !Array.isArray(options) && options.storage !== undefined;
  return configured || !store ? fallback : new AuthStoreThrottlerStorage(store);
}
