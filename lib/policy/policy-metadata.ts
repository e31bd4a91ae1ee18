import type { Type } from '@nestjs/common';
import type { OwnershipResolver } from '../authorization/ownership-resolver.js';

/** Metadata keys; symbols so no other library can collide with them. */
export const ACCESS_METADATA = Symbol('nest-warden:access');
export const STRATEGIES_METADATA = Symbol('nest-warden:strategies');
export const MFA_METADATA = Symbol('nest-warden:mfa');
export const ROLES_METADATA = Symbol('nest-warden:roles');
export const PERMISSIONS_METADATA = Symbol('nest-warden:permissions');
export const SCOPES_METADATA = Symbol('nest-warden:scopes');
export const OWNER_METADATA = Symbol('nest-warden:owner');
/** `@Can()`: an action on a subject type, decided by the `AbilityAuthority` (nest-warden/casl). */
export const CAN_METADATA = Symbol('nest-warden:can');
/** `@Auth({ acr, maxAge })`: the authentication context a route requires (RFC 9470 step-up). */
export const STEP_UP_METADATA = Symbol('nest-warden:step-up');
/** `@Auth({ dpop })`: `'required'` or `'allowed'`, over the strategies' own DPoP modes. */
export const DPOP_METADATA = Symbol('nest-warden:dpop');
/** `@AllowFrom()`: the client addresses/CIDR ranges a route accepts. */
export const ALLOW_FROM_METADATA = Symbol('nest-warden:allow-from');

/** What `@Auth({ acr, maxAge })` stores. */
export interface StepUpMetadata {
  /** Accepted `acr` values (any of). */
  readonly acr?: readonly string[];
  /** Longest time since `auth_time`, in seconds. */
  readonly maxAge?: number;
}

export type AccessMetadata = 'public' | 'optional' | 'protected';

export interface OwnerMetadata {
  readonly resolver: Type<OwnershipResolver>;
  readonly bypass: readonly string[];
}

/** A route handler as Nest hands it over (`ExecutionContext.getHandler()` returns `Function`). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type RouteHandler = Function;
