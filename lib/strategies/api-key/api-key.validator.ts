import type { AuthRequest } from '../../request/auth-request.js';
import type { MaybePromise } from '../../utils/maybe-promise.js';

/** Who a key belongs to, as your validator reports it. */
export interface ApiKeyIdentity {
  readonly id: string;
  readonly username?: string;
  readonly roles?: readonly string[];
  readonly scopes?: readonly string[];
  readonly permissions?: readonly string[];
  /** When the key stops working (ms since the epoch, or a `Date`); checked against the injected `Clock`. */
  readonly expiresAt?: number | Date;
}

/**
 * Looks up API keys the app stores itself. Provide it in your module
 * (`{ provide: ApiKeyValidator, useClass: ApiKeysService }`) or name a class per strategy with
 * `apiKeys: [{ validator: PartnerKeys }]`.
 *
 * Store only `hashApiKey(key)` and look the key up by that hash, so a leaked table holds no usable
 * key and the lookup compares digests, not secrets.
 */
export abstract class ApiKeyValidator {
  /** The identity the key belongs to, or `null` when the key is unknown or revoked (401). */
  abstract validate(key: string, request: AuthRequest): MaybePromise<ApiKeyIdentity | null>;
}
