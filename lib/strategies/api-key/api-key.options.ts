import type { Type } from '@nestjs/common';
import type { ApiKeyValidator } from './api-key.validator.js';

/** A key in `apiKeys[].keys`: stored as a hash, mapped to the principal the guard sees. */
export interface ApiKeyRecord {
  /** The principal's id (`@CurrentUser('id')`), e.g. `reporting-service`. Two records may share it while a key is rotated. */
  readonly id: string;
  /** `hashApiKey(key)`: `sha256:` and the SHA-256 of the key, base64url (43 chars) or hex (64 chars). */
  readonly hash: string;
  /** A display name (`principal.username`). */
  readonly username?: string;
  readonly roles?: readonly string[];
  readonly scopes?: readonly string[];
  readonly permissions?: readonly string[];
  /** When the key stops working: ms since the epoch, or a `Date`. */
  readonly expiresAt?: number | Date;
}

/** Where the key travels; exactly one location per strategy. Default `{ header: 'X-API-Key' }`. */
export type ApiKeyLocation =
  | { readonly header?: string; readonly query?: never; readonly cookie?: never }
  | { readonly query: string; readonly header?: never; readonly cookie?: never }
  | { readonly cookie: string; readonly header?: never; readonly query?: never };

/**
 * One API-key strategy. `apiKeys` takes one of these or a list: the first is the `ApiKeyStrategy`
 * provider (named `api-key` unless `name` says otherwise); each further entry is its own strategy,
 * registered under its (required) `name`.
 */
export type ApiKeyStrategyOptions = ApiKeyLocation & {
  /** The name in `@Auth(...)`. Default `api-key` for the first entry; required for the others. */
  readonly name?: string;
  /** Keys known at boot, stored hashed. Exclusive with `validator`. */
  readonly keys?: readonly ApiKeyRecord[];
  /**
   * Your provider that looks keys up (e.g. in a database). Default: the `ApiKeyValidator` provider,
   * when `keys` is not set.
   */
  readonly validator?: Type<ApiKeyValidator>;
  /** Longest key accepted, in characters; longer ones are refused before hashing. Default 256. */
  readonly maxKeyLength?: number;
  /** Description of the scheme in the OpenAPI document. */
  readonly description?: string;
};
