import type { AuthRequest } from '../request/auth-request.js';
import type { MaybePromise } from '../utils/maybe-promise.js';
import type { Principal } from '../principal/principal.js';

/** What an ownership resolver found: the resource and who owns it. */
export interface Ownership<T = unknown> {
  readonly resource: T;
  /** Compared with the principal's `id`. */
  readonly ownerId: string;
}

/**
 * Loads the resource a route acts on, once per request. Return `null` when it does not exist
 * (the guard answers 404). Implement as an `@Injectable()` and provide it in your module.
 */
export interface OwnershipResolver<T = unknown> {
  resolve(request: AuthRequest & { params?: Record<string, string> }, principal: Principal): MaybePromise<Ownership<T> | null>;
}
