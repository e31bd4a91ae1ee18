import type { Type } from '@nestjs/common';
import type { AuthStrategy } from './auth-strategy.js';
import { SessionStrategy } from '../sessions/session.strategy.js';
import { JwtStrategy } from './jwt/jwt.strategy.js';

/**
 * Strategy providers that ship with nest-warden. Each is always registered as a provider (so it can
 * be overridden in tests) and joins the registry only when its options section is present.
 */
export const BUILT_IN_STRATEGIES: readonly Type<AuthStrategy>[] = [JwtStrategy, SessionStrategy];

/** Strategies that protect routes without `@Auth(...)` when `defaultStrategies` is not set, in this order. */
export const DEFAULT_STRATEGY_NAMES: readonly string[] = ['jwt', 'session'];
