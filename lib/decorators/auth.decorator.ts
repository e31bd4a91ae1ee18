import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ACCESS_METADATA, type AccessMetadata, MFA_METADATA, STRATEGIES_METADATA } from '../policy/policy-metadata.js';
import { assertNames } from './assert-names.js';

export interface AuthDecoratorOptions {
  /** Strategies to try, in order (any of). Default: the module's default strategies. */
  readonly strategies?: readonly string[];
  /** Require a second factor (the principal's `amr` must include one). */
  readonly mfa?: boolean;
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
  return applyDecorators(...decorators);
}
