import type { Type } from '@nestjs/common';
import type { MongoAbility, RawRuleOf } from '@casl/ability';
import type { Principal } from '../principal/principal.js';
import type { MaybePromise } from '../utils/maybe-promise.js';

/** The abilities nest-warden builds: CASL's `MongoAbility` (MongoDB-style conditions), string actions and subject types. */
export type WardenAbility = MongoAbility;

/**
 * One CASL rule as plain data: `{ action: 'update', subject: 'Post', fields?: ['title'], conditions?: { teamId: 7 },
 * inverted?: true }` (`inverted`: a `cannot` rule).
 */
export type WardenRule = RawRuleOf<WardenAbility>;

/** A role's rules: fixed, or built from the caller (for conditions such as "their own team"). */
export type RoleRules = readonly WardenRule[] | ((principal: Principal) => readonly WardenRule[]);

/**
 * Rules from the application, e.g. from a database. Implement as an `@Injectable()` and name it in
 * `CaslModule.forRoot({ factory })`; it is called once per request that needs the abilities.
 */
export abstract class AbilityFactory {
  /**
   * The caller's rules, added after the rules of `roles` (so they win on conflict, as in CASL).
   * `roles` are the principal's roles with everything they imply through `forRoot({ roles: { hierarchy } })`.
   */
  abstract rulesFor(principal: Principal, roles: ReadonlySet<string>): MaybePromise<readonly WardenRule[]>;
}

/** `CaslModule.forRoot()`. */
export interface CaslModuleOptions {
  /**
   * Rules per role. A principal gets the rules of each role it holds and of every role those imply
   * (the role hierarchy of `AuthModule.forRoot({ roles })`). Across roles, `cannot` rules (`inverted: true`)
   * are applied last, so one role's `cannot` is never undone by another role's `can`.
   */
  readonly roles?: Readonly<Record<string, RoleRules>>;
  /** Rules that every authenticated principal has, whatever its roles. */
  readonly authenticated?: RoleRules;
  /** An injectable that adds rules per principal (e.g. from a database); it may answer with a promise. */
  readonly factory?: Type<AbilityFactory>;
}
