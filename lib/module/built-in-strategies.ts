import type { Type } from '@nestjs/common';
import type { AuthStrategy } from '../strategies/auth-strategy.js';
import { SessionStrategy } from '../sessions/session.strategy.js';
import { JwtStrategy } from '../strategies/jwt/jwt.strategy.js';
import { ApiKeyStrategy } from '../strategies/api-key/api-key.strategy.js';
import { BasicStrategy } from '../strategies/basic/basic.strategy.js';
import { OidcStrategy } from '../strategies/oidc/oidc.strategy.js';

/**
 * Strategy providers that ship with nest-warden. Each is always registered as a provider (so it can
 * be overridden in tests) and joins the registry only when its options section is present.
 */
export const BUILT_IN_STRATEGIES: readonly Type<AuthStrategy>[] = [
  JwtStrategy,
  OidcStrategy,
  SessionStrategy,
  ApiKeyStrategy,
  BasicStrategy,
];

/** Strategies that protect routes without `@Auth(...)` when `defaultStrategies` is not set, in this order. */
export const DEFAULT_STRATEGY_NAMES: readonly string[] = ['jwt', 'oidc', 'session'];
