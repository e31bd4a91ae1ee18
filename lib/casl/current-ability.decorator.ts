import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { createMongoAbility } from '@casl/ability';
import { requestFromContext } from '../context/context-request.js';
import { getPrincipal } from '../request/request-state.js';
import { isPromise } from '../utils/maybe-promise.js';
import { builtAbility } from './casl-abilities.js';

/**
 * Injects the caller's CASL ability, as the guard built it for the route's `@Can()` (once per
 * request), e.g. to filter a list with `toMongoQuery(ability, 'read', 'Post')` or `toSql(...)`.
 * An anonymous caller gets an ability that allows nothing. On a route without `@Can()` (or
 * `@PermittedFields()`), inject `CaslAbilities` and call `forRequest(request)` instead.
 */
export const CurrentAbility = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const request = requestFromContext(context);
  if (!getPrincipal(request)) return createMongoAbility([]);
  const ability = builtAbility(request);
  if (ability === undefined || isPromise(ability)) {
    throw new TypeError(
      '@CurrentAbility() reads the ability the guard built for @Can(); this route has no @Can(). ' +
        'Add @Can(action, subject) to it, or inject CaslAbilities and use forRequest(request).',
    );
  }
  return ability;
});
