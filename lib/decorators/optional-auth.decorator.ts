import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ACCESS_METADATA, type AccessMetadata, STRATEGIES_METADATA } from '../policy/policy-metadata.js';
import { assertNames } from './assert-names.js';

/**
 * Credentials are checked when present (bad ones still get 401); callers without any pass through
 * and `@CurrentUser()` is `undefined`. Optionally names the strategies to try.
 */
export function OptionalAuth(...strategies: string[]): ClassDecorator & MethodDecorator {
  const decorators = [SetMetadata<symbol, AccessMetadata>(ACCESS_METADATA, 'optional')];
  if (strategies.length) decorators.push(SetMetadata(STRATEGIES_METADATA, assertNames('OptionalAuth', strategies)));
  return applyDecorators(...decorators);
}
