import type { Principal } from '../principal/principal.js';
import type { AuthRequest } from './auth-request.js';

/** Where the guard leaves its results on the request object (symbols: invisible to JSON and other libraries). */
const PRINCIPAL = Symbol.for('nest-warden:principal');
const RESOURCE = Symbol.for('nest-warden:resource');

type StatefulRequest = AuthRequest & { [PRINCIPAL]?: Principal; [RESOURCE]?: unknown };

export function setPrincipal(request: AuthRequest, principal: Principal, user: unknown): void {
  (request as StatefulRequest)[PRINCIPAL] = principal;
  request.user = user;
}

/** The verified principal of this request (not the `resolveUser` result). */
export function getPrincipal(request: AuthRequest): Principal | undefined {
  return (request as StatefulRequest)[PRINCIPAL];
}

export function setOwnedResource(request: AuthRequest, resource: unknown): void {
  (request as StatefulRequest)[RESOURCE] = resource;
}

export function getOwnedResource(request: AuthRequest): unknown {
  return (request as StatefulRequest)[RESOURCE];
}

/** Forgets the caller (and resource) attached earlier to a long-lived request view, e.g. a socket's. */
export function clearPrincipal(request: AuthRequest): void {
  const state = request as StatefulRequest;
  state[PRINCIPAL] = undefined;
  state[RESOURCE] = undefined;
  request.user = undefined;
}
