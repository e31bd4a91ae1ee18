import { Injectable } from '@nestjs/common';
import { AuthError } from '../errors/auth.error.js';
import type { AuthRequest } from '../http/auth-request.js';
import { setOwnedResource } from '../http/request-state.js';
import type { CompiledRoutePolicy } from '../policy/route-policies.js';
import type { Principal } from '../principal/principal.js';
import type { MaybePromise } from '../strategies/auth-strategy.js';

/**
 * Step 3 of the request path: roles → permissions → scopes → second factor → ownership.
 * Throws `AuthError` (403, or 404 for a missing owned resource); returns when access is granted.
 */
@Injectable()
export class Authorizer {
  authorize(principal: Principal, policy: CompiledRoutePolicy, request: AuthRequest): MaybePromise<void> {
    if (policy.roles.length && !policy.roles.some((role) => principal.roles.includes(role))) {
      throw new AuthError('forbidden', { description: 'Insufficient role' });
    }
    if (policy.permissions.length && !policy.permissions.every((p) => principal.permissions.includes(p))) {
      throw new AuthError('forbidden', { description: 'Insufficient permissions' });
    }
    if (policy.scopes.length && !policy.scopes.every((scope) => principal.scopes.includes(scope))) {
      throw new AuthError('insufficient_scope', { scopes: policy.scopes, strategy: principal.strategy });
    }
    if (policy.mfa && !(principal.amr ?? []).some((method) => method === 'otp' || method === 'mfa')) {
      throw new AuthError('forbidden', { description: 'A second authentication factor is required' });
    }
    const owner = policy.ownerResolver;
    if (!owner) return;
    if (policy.owner!.bypass.some((role) => principal.roles.includes(role))) {
      return this.attach(owner.resolve(request, principal), request, undefined);
    }
    return this.attach(owner.resolve(request, principal), request, principal.id);
  }

  private attach(
    found: MaybePromise<{ resource: unknown; ownerId: string } | null>,
    request: AuthRequest,
    mustBeOwnedBy: string | undefined,
  ): MaybePromise<void> {
    if (found instanceof Promise) return found.then((value) => this.attach(value, request, mustBeOwnedBy));
    if (!found) throw new AuthError('not_found');
    if (mustBeOwnedBy !== undefined && found.ownerId !== mustBeOwnedBy) {
      throw new AuthError('forbidden', { description: 'Only the owner may do this' });
    }
    setOwnedResource(request, found.resource);
  }
}
