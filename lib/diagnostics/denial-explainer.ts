import { type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { AuthError } from '../errors/auth.error.js';
import type { AuthRequest } from '../request/auth-request.js';
import { requestFromContext } from '../context/context-request.js';
import { RouteManifest } from '../manifest/route-manifest.js';
import { RequestPolicy } from '../network/request-policy.js';
import { CoreSettings } from '../settings/core-settings.js';
import type { CompiledRoutePolicy } from '../policy/route-policies.js';
import type { Principal } from '../principal/principal.js';

/** Where `remember` leaves the principal on the request (a symbol: invisible to JSON and other libraries). */
const AUTHENTICATED = Symbol('nest-warden:authenticated-principal');
type RememberingRequest = AuthRequest & { [AUTHENTICATED]?: Principal };

const EXPLAINED = new Set(['credentials_missing', 'invalid_token', 'invalid_credentials', 'insufficient_scope', 'forbidden']);
const list = (values: readonly string[] | undefined) => `[${(values ?? []).join(', ')}]`;

/**
 * Development aid: logs why each 401/403 was given, at debug level —
 * `denied GET /admin/users (AdminController.list): Insufficient role: needs role admin; principal bob has roles [user]`.
 * Off when `NODE_ENV` is `production` unless `explainDenials: true`. The text never reaches a response and
 * never holds a credential: routes are named by their template, principals by username or id, library
 * errors by their name and code only.
 */
@Injectable()
export class DenialExplainer {
  readonly enabled: boolean;
  private readonly logger = new Logger('nest-warden');

  constructor(
    options: CoreSettings,
    private readonly manifest: RouteManifest,
    private readonly requestPolicy: RequestPolicy,
  ) {
    this.enabled = options.explainDenials;
  }

  /** Called by the guard once a principal is known, before authorization. */
  remember(request: AuthRequest, principal: Principal): void {
    // A property on the request, not a WeakMap: one entry per request would cost the GC more than the check.
    if (this.enabled) (request as RememberingRequest)[AUTHENTICATED] = principal;
  }

  /** Called by the guard for every denial. */
  explain(context: ExecutionContext, policy: CompiledRoutePolicy | undefined, error: AuthError): void {
    if (!this.enabled || !EXPLAINED.has(error.code)) return;
    let request: AuthRequest | undefined;
    try {
      request = requestFromContext(context);
    } catch {
      request = undefined; // a context the guard does not read requests from: explain without it
    }
    const route = `${this.manifest.label(context.getClass(), context.getHandler())} (${context.getClass().name}.${context.getHandler().name})`;
    this.logger.debug(`denied ${route}: ${this.reason(request, policy, error)}`);
  }

  private reason(request: AuthRequest | undefined, policy: CompiledRoutePolicy | undefined, error: AuthError): string {
    switch (error.code) {
      case 'credentials_missing':
        return policy?.strategies.length
          ? `no credentials for any of ${list(policy.strategies)}`
          : 'no strategy is configured for this route';
      case 'invalid_token':
      case 'invalid_credentials':
        return `${error.strategy ?? 'a strategy'} rejected the credentials: ${error.description ?? error.code}${hintOf(error)}${causeOf(error)}`;
      default:
        break;
    }
    if (request && policy?.checkRequest) {
      const refused = this.requestPolicy.explain(request, policy.allowFrom);
      if (refused) return refused;
    }
    const principal = (request as RememberingRequest | undefined)?.[AUTHENTICATED];
    const why = error.description ?? (error.code === 'insufficient_scope' ? 'Insufficient scope' : 'Forbidden');
    if (!policy || !principal) return `${why}${causeOf(error)}`;
    const needs: string[] = [];
    const has: string[] = [];
    if (error.code === 'insufficient_scope') {
      needs.push(`scopes ${list(error.scopes ?? policy.scopes)} (all of)`);
      has.push(`scopes ${list(principal.scopes)}`);
    } else {
      if (policy.roles.length) {
        needs.push(`role ${policy.roles.join(' or ')}`);
        has.push(`roles ${list(principal.roles)}`);
      }
      if (policy.permissions.length) {
        needs.push(`permissions ${list(policy.permissions)} (all of)`);
        has.push(`permissions ${list(principal.permissions)}`);
      }
      if (policy.scopes.length) {
        needs.push(`scopes ${list(policy.scopes)} (all of)`);
        has.push(`scopes ${list(principal.scopes)}`);
      }
      if (policy.mfa) {
        needs.push('a second factor');
        has.push(`amr ${list(principal.amr)}`);
      }
      if (policy.can) {
        // The hint names the rules' conditions and the resource's values (nest-warden/casl); computed only now.
        needs.push(hintText(error) ?? `a rule allowing ${policy.can.action} on ${policy.can.subject}`);
      }
      if (policy.owner) {
        const bypass = policy.owner.bypass.length ? ` (roles ${policy.owner.bypass.join(', ')} bypass)` : '';
        needs.push(`to own the resource (${policy.owner.resolver.name})${bypass}`);
        if (!policy.roles.length && policy.owner.bypass.length) has.push(`roles ${list(principal.roles)}`);
      }
    }
    const who = `principal ${principal.username ?? principal.id} (${principal.strategy})`;
    return `${why}: needs ${needs.join(' and ') || 'nothing more'}; ${who} has ${has.join(', ') || 'nothing relevant'}`;
  }
}

/** The hint, or `undefined` when there is none or it fails (an explanation never crashes a denial). */
function hintText(error: AuthError): string | undefined {
  try {
    return error.hint?.replace(/[\r\n]+/g, ' ');
  } catch {
    return undefined;
  }
}

/** The developer hint of the refusal (what was wrong, the fix), as one line. */
function hintOf(error: AuthError): string {
  let hint: string | undefined;
  try {
    hint = error.hint;
  } catch {
    return ''; // an explanation must never turn a denial into a crash
  }
  return hint ? ` — ${hint.replace(/[\r\n]+/g, ' ')}` : '';
}

/** A library error's name, code and failed claim (jose's `ERR_JWT_EXPIRED`, `claim: aud`); never its message. */
function causeOf(error: AuthError): string {
  const cause = error.cause as { name?: unknown; code?: unknown; claim?: unknown } | undefined;
  if (!cause || typeof cause !== 'object') return '';
  const parts = [cause.name, cause.code].filter((part): part is string => typeof part === 'string');
  if (typeof cause.claim === 'string') parts.push(`claim ${cause.claim}`);
  return parts.length ? ` (${parts.join(' ')})` : '';
}
