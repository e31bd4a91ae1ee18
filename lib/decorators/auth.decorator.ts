import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ACCESS_METADATA, type AccessMetadata, DPOP_METADATA, MFA_METADATA, STEP_UP_METADATA, type StepUpMetadata, STRATEGIES_METADATA } from '../policy/policy-metadata.js';
import { assertNames } from './assert-names.js';

export interface AuthDecoratorOptions {
  /** Strategies to try, in order (any of). Default: the module's default strategies. */
  readonly strategies?: readonly string[];
  /** Require a second factor (the principal's `amr` must include one). */
  readonly mfa?: boolean;
  /**
   * DPoP (RFC 9449) on this route, over the strategies' own modes: `'required'` accepts only
   * DPoP-bound tokens with a valid proof, `'allowed'` also unbound `Bearer` tokens. Applies to the
   * strategies that take DPoP (`jwt`, `oidc`); needs the module's `dpop` section or theirs.
   */
  readonly dpop?: 'required' | 'allowed';
  /**
   * Step-up (RFC 9470): the token's `acr` must be one of these. Otherwise 401
   * `error="insufficient_user_authentication"` with `acr_values`, so the client can ask the
   * authorization server for a stronger sign-in.
   */
  readonly acr?: readonly string[];
  /**
   * Step-up (RFC 9470): at most this many seconds since the user authenticated (the token's
   * `auth_time`). Otherwise 401 `error="insufficient_user_authentication"` with `max_age`.
   */
  readonly maxAge?: number;
}

/**
 * Requires an authenticated caller. `@Auth()` uses the default strategies; `@Auth('jwt', 'api-key')`
 * accepts any of the named ones, tried in order; `@Auth({ mfa: true })` also demands a second factor.
 */
export function Auth(...args: string[] | [AuthDecoratorOptions]): ClassDecorator & MethodDecorator {
  const options: AuthDecoratorOptions =
    args.length === 1 && typeof args[0] === 'object' && args[0] !== null
      ? (args[0] as AuthDecoratorOptions)
      : { strategies: args.length ? (args as string[]) : undefined };
  const decorators = [SetMetadata<symbol, AccessMetadata>(ACCESS_METADATA, 'protected')];
  if (options.strategies) {
    decorators.push(SetMetadata(STRATEGIES_METADATA, assertNames('Auth', options.strategies)));
  }
  if (options.mfa !== undefined) decorators.push(SetMetadata(MFA_METADATA, options.mfa === true));
  if (options.acr !== undefined || options.maxAge !== undefined) {
    const acr = options.acr === undefined ? undefined : assertNames('Auth', options.acr);
    if (acr !== undefined && acr.length === 0) throw new TypeError('@Auth({ acr }) must name at least one acr value');
    if (options.maxAge !== undefined && (!Number.isInteger(options.maxAge) || options.maxAge < 0)) {
      throw new TypeError(`@Auth({ maxAge }) must be a whole number of seconds, got ${JSON.stringify(options.maxAge)}`);
    }
    decorators.push(SetMetadata<symbol, StepUpMetadata>(STEP_UP_METADATA, Object.freeze({ acr, maxAge: options.maxAge })));
  }
  if (options.dpop !== undefined) {
    if (options.dpop !== 'required' && options.dpop !== 'allowed') {
      throw new TypeError(`@Auth({ dpop }) must be 'required' or 'allowed', got ${JSON.stringify(options.dpop)}`);
    }
    decorators.push(SetMetadata(DPOP_METADATA, options.dpop));
  }
  return applyDecorators(...decorators);
}
