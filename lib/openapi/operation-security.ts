import type { OperationObject, ResponseObject, SchemaObject, SecurityRequirementObject } from '@nestjs/swagger';
import { hasAuthorizationRules, type RoutePolicy } from '../policy/route-policy.js';
import type { DocumentedScheme } from './security-schemes.js';

/** What nest-warden adds to one operation. */
export interface OperationAuth {
  /** Alternatives (any one suffices), without the anonymous `{}`. */
  readonly requirements: readonly SecurityRequirementObject[];
  /** `@OptionalAuth()`: `{}` closes the list. */
  readonly anonymous: boolean;
  /** Added only where the app documented no response with that status. */
  readonly responses: Readonly<Record<string, ResponseObject>>;
  readonly extensions: Readonly<Record<`x-${string}`, unknown>>;
}

export interface StrategyFacts {
  /** Strategy name → the schemes its credentials satisfy. */
  readonly schemes: ReadonlyMap<string, readonly DocumentedScheme[]>;
  /** Strategies that answer a 401 with a `WWW-Authenticate` challenge. */
  readonly challenging: ReadonlySet<string>;
}

/**
 * The security of one operation, from the same policy the guard enforces. `undefined` for routes
 * the guard lets through untouched (`@Public()`, or no metadata with `global: false`).
 */
export function describeOperation(policy: RoutePolicy, facts: StrategyFacts): OperationAuth | undefined {
  if (policy.access !== 'protected' && policy.access !== 'optional') return undefined;

  const requirements: SecurityRequirementObject[] = [];
  const named = new Set<string>();
  for (const strategy of policy.strategies) {
    for (const scheme of facts.schemes.get(strategy) ?? []) {
      if (named.has(scheme.name)) continue;
      named.add(scheme.name);
      requirements.push({ [scheme.name]: scheme.carriesScopes ? [...policy.scopes] : [] });
    }
  }

  const challenged = policy.strategies.some((strategy) => facts.challenging.has(strategy));
  const responses: Record<string, ResponseObject> = {
    401: errorResponse(
      401,
      'Unauthorized',
      policy.access === 'optional'
        ? 'Unauthorized: the credentials sent are invalid. Requests without credentials are served anonymously.'
        : policy.stepUp
          ? 'Unauthorized: credentials are missing or invalid, or the sign-in is too weak or too old (`error="insufficient_user_authentication"` with `acr_values` and `max_age`, RFC 9470).'
          : 'Unauthorized: credentials are missing or invalid.',
      challenged ? 'The authentication schemes the route accepts (RFC 9110 §11.6.1).' : undefined,
    ),
  };
  if (hasAuthorizationRules(policy) && requiredRules(policy).length) {
    responses[403] = errorResponse(
      403,
      'Forbidden',
      `Forbidden: the caller is authenticated but lacks ${requiredRules(policy).join('; ')}.`,
      challenged && policy.scopes.length
        ? 'For a token without the required scopes: `error="insufficient_scope"` and the scopes needed (RFC 6750 §3.1).'
        : undefined,
    );
  }
  if (policy.owner || policy.can?.resource) responses[404] = errorResponse(404, 'Not Found', 'Not Found: the resource does not exist.');

  const extensions: Record<`x-${string}`, unknown> = {};
  if (policy.roles.length) extensions['x-required-roles'] = [...policy.roles];
  if (policy.permissions.length) extensions['x-required-permissions'] = [...policy.permissions];
  if (policy.scopes.length) extensions['x-required-scopes'] = [...policy.scopes];
  if (policy.owner) extensions['x-required-owner'] = { bypassRoles: [...policy.owner.bypass] };
  if (policy.mfa) extensions['x-required-mfa'] = true;
  if (policy.can) {
    // `@Can()`: the action and subject type; `conditions: true` when a loaded resource is checked against the rules' conditions.
    extensions['x-required-ability'] = {
      action: policy.can.action,
      subject: policy.can.subject,
      conditions: policy.can.resource !== undefined || policy.owner !== undefined,
    };
  }
  // RFC 9449 / RFC 9470: DPoP-bound tokens only, and the authentication context the route requires.
  if (policy.dpop) extensions['x-dpop'] = policy.dpop;
  if (policy.stepUp) {
    extensions['x-required-authentication'] = {
      ...(policy.stepUp.acr ? { acr_values: [...policy.stepUp.acr] } : {}),
      ...(policy.stepUp.maxAge !== undefined ? { max_age: policy.stepUp.maxAge } : {}),
    };
  }

  return { requirements, anonymous: policy.access === 'optional', responses, extensions };
}

/**
 * Writes `auth` into an operation. Requirements the app declared itself stay as further
 * alternatives (its own guards may enforce them); responses it documented are kept as they are.
 */
export function applyOperationAuth(operation: OperationObject, auth: OperationAuth): void {
  const ours = new Set(auth.requirements.map(schemeKey));
  const declared = (operation.security ?? []).filter((r) => Object.keys(r).length > 0 && !ours.has(schemeKey(r)));
  const security = [...auth.requirements, ...declared, ...(auth.anonymous ? [{}] : [])];
  if (security.length) operation.security = security;
  else delete operation.security;

  const responses = (operation.responses ??= {});
  for (const [status, response] of Object.entries(auth.responses)) {
    if (!(status in responses)) responses[status] = response;
  }
  Object.assign(operation, auth.extensions);
}

function schemeKey(requirement: SecurityRequirementObject): string {
  return Object.keys(requirement).sort().join('\n');
}

function requiredRules(policy: RoutePolicy): string[] {
  const rules: string[] = [];
  if (policy.roles.length) rules.push(`${policy.roles.length > 1 ? 'one of the roles' : 'the role'} ${policy.roles.join(', ')}`);
  if (policy.permissions.length) {
    rules.push(`${policy.permissions.length > 1 ? 'the permissions' : 'the permission'} ${policy.permissions.join(', ')}`);
  }
  if (policy.scopes.length) rules.push(`${policy.scopes.length > 1 ? 'the scopes' : 'the scope'} ${policy.scopes.join(', ')}`);
  if (policy.mfa) rules.push('a second authentication factor');
  if (policy.can) {
    const loaded = policy.can.resource !== undefined || policy.owner !== undefined;
    rules.push(`a rule allowing ${policy.can.action} on ${loaded ? `this ${policy.can.subject}` : policy.can.subject}`);
  }
  if (policy.owner) {
    const bypass = policy.owner.bypass;
    rules.push(
      bypass.length
        ? `ownership of the resource (${bypass.length > 1 ? 'roles' : 'role'} ${bypass.join(', ')} may act on any)`
        : 'ownership of the resource',
    );
  }
  return rules;
}

/** Nest's error body, `{ statusCode, message, error }`. */
function errorResponse(status: number, error: string, description: string, challenge?: string): ResponseObject {
  const schema: SchemaObject = {
    type: 'object',
    required: ['statusCode', 'message'],
    properties: {
      statusCode: { type: 'integer', example: status },
      message: { type: 'string' },
      error: { type: 'string', example: error },
    },
  };
  return {
    description,
    ...(challenge ? { headers: { 'WWW-Authenticate': { description: challenge, schema: { type: 'string' } } } } : {}),
    content: { 'application/json': { schema } },
  };
}
