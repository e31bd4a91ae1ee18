import { SessionStrategy } from '../sessions/session.strategy.js';
import { ApiKeyStrategies, ApiKeyStrategy } from '../strategies/api-key/api-key.strategy.js';
import { BasicStrategy } from '../strategies/basic/basic.strategy.js';
import { IntrospectionStrategy } from '../strategies/introspection/introspection.strategy.js';
import { JwtStrategy } from '../strategies/jwt/jwt.strategy.js';
import { OidcStrategy } from '../strategies/oidc/oidc.strategy.js';
import type { StrategyContribution } from '../strategies/strategy-tokens.js';

/**
 * Strategy providers that ship with nest-warden, in the order their defaults are tried. Each is
 * always a provider (so it can be overridden in tests) and joins the registry only when its
 * options section is present.
 */
export const BUILT_IN_STRATEGIES: readonly StrategyContribution[] = [
  JwtStrategy,
  OidcStrategy,
  IntrospectionStrategy,
  SessionStrategy,
  ApiKeyStrategy,
  ApiKeyStrategies,
  BasicStrategy,
];

