import type { Type } from '@nestjs/common';
import type { AuthRequest } from '../request/auth-request.js';
import type { Principal } from '../principal/principal.js';
import type { MaybePromise } from '../utils/maybe-promise.js';

/**
 * Loads the resource a `@Can()` route acts on, once per request, so the rule's conditions can be
 * checked against it. Return `null` when it does not exist (the guard answers 404 before any 403).
 * Implement as an `@Injectable()` and provide it in your module.
 */
export interface ResourceLoader<T = unknown> {
  /** The resource of this request (e.g. by `request.params.id`), or `null` when it does not exist. */
  load(request: AuthRequest & { params?: Record<string, string> }, principal: Principal): MaybePromise<T | null | undefined>;
}

/** `@Can(action, subject)`: what a route requires, as its decorator says. */
export interface CanRequirement {
  /** The action, e.g. `update`. */
  readonly action: string;
  /** The subject type, e.g. `Post`. */
  readonly subject: string;
  /** Loads the resource the conditions are checked against; `undefined`: the subject type alone is checked. */
  readonly resource: Type<ResourceLoader> | undefined;
}

/**
 * The contract between the guard and a rule engine: decides a `@Can()` requirement for one request.
 * The authorization layer knows only this; `nest-warden/casl` (`CaslModule`) provides it on
 * `@casl/ability`. Without a provider, a route with `@Can()` fails the boot.
 */
export abstract class AbilityAuthority {
  /**
   * Returns when `principal` may do `requirement.action` on `requirement.subject` (on `resource.value`
   * when a resource was loaded, conditions included); throws `AuthError('forbidden')` otherwise.
   */
  abstract check(
    request: AuthRequest,
    principal: Principal,
    requirement: CanRequirement,
    resource: { readonly value: unknown } | undefined,
  ): MaybePromise<void>;
}
