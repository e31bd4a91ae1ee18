import type { RouteAccess } from '../policy/route-policy.js';

/** One row of the route security manifest: a route and its effective policy, as the guard enforces it. */
export interface RouteManifestEntry {
  /** `GET`, `POST`, ... (`ALL` for `@All()`). */
  readonly method: string;
  /** The served path, global prefix and URI version included, with route parameters as written (`/posts/:id`). */
  readonly path: string;
  /** `Controller.handler`. */
  readonly handler: string;
  readonly access: RouteAccess;
  /** Strategies tried in order; empty for public and unguarded routes. */
  readonly strategies: readonly string[];
  /** Any of these roles. */
  readonly roles: readonly string[];
  /** All of these permissions. */
  readonly permissions: readonly string[];
  /** All of these OAuth2 scopes. */
  readonly scopes: readonly string[];
  /** The `@Owner()` resolver's class name. */
  readonly owner: string | undefined;
  /** Roles that bypass the ownership check. */
  readonly ownerBypass: readonly string[];
  /** A second factor is required. */
  readonly mfa: boolean;
  /**
   * `@Can(action, subject)`: what the caller's abilities must allow (nest-warden/casl); `resource`:
   * the loader whose resource the rules' conditions are checked against (`@Owner()`'s resolver beside it).
   */
  readonly can?: { readonly action: string; readonly subject: string; readonly resource: string | undefined } | undefined;
  /** `@AllowFrom()` entries; empty = any client address. */
  readonly allowFrom: readonly string[];
  /** Plain-HTTP requests are refused (`requireHttps`). */
  readonly requireHttps: boolean;
  /** Contradictions in the route's metadata; strict mode refuses to boot with any. */
  readonly conflicts: readonly string[];
}
