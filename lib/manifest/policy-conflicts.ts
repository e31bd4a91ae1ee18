import type { RoutePolicy } from '../policy/route-policy.js';

export const NO_STRATEGY_CONFLICT =
  'protected, but no strategy is configured for it: every request would get 401';

/**
 * Contradictions beyond the ones `resolveRoutePolicy` finds in the metadata alone: the ones that need
 * the module's configuration.
 */
export function configurationConflicts(policy: RoutePolicy): string[] {
  const conflicts: string[] = [];
  if (policy.access === 'protected' && policy.strategies.length === 0) {
    conflicts.push(NO_STRATEGY_CONFLICT);
  }
  return conflicts;
}

/** How to resolve a conflict, for strict mode's boot error. */
export function fixFor(conflict: string): string {
  if (conflict.startsWith('@Public()')) {
    return 'remove @Public() so the rules are enforced, or remove the rules if the route is meant to be public';
  }
  if (conflict.startsWith('@OptionalAuth()')) {
    return 'use @Auth() (or no decorator) so callers must authenticate, or remove the rules';
  }
  if (conflict === NO_STRATEGY_CONFLICT) {
    return "configure a default strategy (e.g. jwt) or defaultStrategies, name one with @Auth('...'), or mark the route @Public()";
  }
  return "make the route's decorators agree";
}
