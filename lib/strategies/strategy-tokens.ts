import type { Type } from '@nestjs/common';
import type { AuthStrategy } from './auth-strategy.js';

/**
 * Several strategies from one provider, e.g. one API-key strategy per `apiKeys` entry after the
 * first. The registry adds each of them as if it were a provider of its own.
 */
export abstract class StrategyGroup {
  abstract strategies(): readonly AuthStrategy[];
}

/** What the module contributes to the strategy list: a strategy provider, or a group of them. */
export type StrategyContribution = Type<AuthStrategy> | Type<StrategyGroup>;

/**
 * DI token of the strategy list: the built-in strategy providers, then the app's own
 * (`forRoot({ strategies })`), in the order their defaults are tried. Each is resolved by class,
 * so `overrideProvider(JwtStrategy)` replaces the real one everywhere.
 */
export const AUTH_STRATEGIES = Symbol('nest-warden:strategies');
