import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Authorizer } from '../authorization/authorizer.js';
import { DenialExplainer } from '../diagnostics/denial-explainer.js';
import { AuthError } from '../errors/auth.error.js';
import { type SetHeader, throwHttpDenial } from '../http/http-denials.js';
import { ContextDenials } from '../context/context-denials.js';
import type { AuthRequest } from '../request/auth-request.js';
import { requestFromContext } from '../context/context-request.js';
import { setPrincipal } from '../request/request-state.js';
import { withResourceMetadata } from '../errors/challenge.js';
import { ProtectedResourceSettings } from '../settings/protected-resource-settings.js';
import { CoreSettings } from '../settings/core-settings.js';
import { type CompiledRoutePolicy, RoutePolicies } from '../policy/route-policies.js';
import type { RoutePolicy } from '../policy/route-policy.js';
import type { Principal } from '../principal/principal.js';
import type { AuthStrategy } from '../strategies/auth-strategy.js';
import { isPromise, type MaybePromise } from '../utils/maybe-promise.js';
import { failClosed } from '../stores/fail-closed.js';

/**
 * The one global guard: read the route policy, authenticate, authorize, attach. When every step
 * answers synchronously (a cached token, no owner lookup) so does the guard — no promise allocated.
 *
 * To customize it, extend it, override the `protected` hooks, and name your class in
 * `AuthModule.forRoot({ guard: MyGuard })`: it then runs in this guard's place. Collaborators are
 * injected as properties, so your subclass may have a constructor of its own (call `super()`).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  protected readonly logger = new Logger('nest-warden');

  @Inject(RoutePolicies) private readonly policies!: RoutePolicies;
  @Inject(Authorizer) private readonly authorizer!: Authorizer;
  @Inject(CoreSettings) private readonly settings!: CoreSettings;
  @Inject(HttpAdapterHost) private readonly adapterHost!: HttpAdapterHost;
  @Inject(ProtectedResourceSettings) private readonly resourceMetadata!: ProtectedResourceSettings;
  /** Development-mode denial logs. */
  @Optional() @Inject(DenialExplainer) private readonly explainer?: DenialExplainer;
  /** Errors for GraphQL and WebSocket contexts. */
  @Optional() @Inject(ContextDenials) private readonly contextDenials?: ContextDenials;

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.policies.get(context.getClass(), context.getHandler());
    const checkRequest = policy.checkRequest;
    if (!checkRequest && (policy.access === 'public' || policy.access === 'unguarded')) return true;
    const request = requestFromContext(context);
    let principal: MaybePromise<Principal | null>;
    try {
      // requireHttps and @AllowFrom: before credentials are read, on public routes too.
      if (checkRequest) checkRequest(request);
      if (policy.access === 'public' || policy.access === 'unguarded') return true;
      principal = this.authenticate(request, policy.strategyInstances, 0);
    } catch (error) {
      return this.deny(context, policy, error);
    }
    if (isPromise(principal)) {
      return principal.then(
        (found) => this.afterAuthentication(context, request, policy, found),
        (error: unknown) => this.deny(context, policy, error),
      );
    }
    return this.afterAuthentication(context, request, policy, principal);
  }

  /** Tries strategies in order; the first principal wins, `null` means "not mine", a throw is final. */
  protected authenticate(
    request: AuthRequest,
    strategies: readonly AuthStrategy[],
    from: number,
  ): MaybePromise<Principal | null> {
    for (let i = from; i < strategies.length; i++) {
      const result = strategies[i].authenticate(request);
      if (isPromise(result)) {
        return result.then((principal) => principal ?? this.authenticate(request, strategies, i + 1));
      }
      if (result) return result;
    }
    return null;
  }

  /** Steps 3 and 4; each failure is denied once (`deny` throws, so it is never called inside a `try`). */
  private afterAuthentication(
    context: ExecutionContext,
    request: AuthRequest,
    policy: CompiledRoutePolicy,
    principal: Principal | null,
  ): boolean | Promise<boolean> {
    if (!principal) {
      if (policy.access === 'optional') return true;
      return this.deny(context, policy, new AuthError('credentials_missing'));
    }
    if (policy.dpopRequired.size && policy.dpopRequired.has(principal.strategy) && principal.confirmation === undefined) {
      // RFC 9449 §7.1: this route takes DPoP-bound tokens only (route or strategy `dpop: 'required'`).
      return this.deny(
        context,
        policy,
        new AuthError('invalid_token', {
          description: 'This resource requires a DPoP-bound access token',
          strategy: principal.strategy,
          dpop: { error: 'invalid_token' },
        }),
      );
    }
    let authorized: MaybePromise<void>;
    try {
      this.explainer?.remember(request, principal);
      authorized = this.authorizer.authorize(principal, policy, request);
    } catch (error) {
      return this.deny(context, policy, error);
    }
    if (isPromise(authorized)) {
      return authorized.then(
        () => this.attach(context, request, principal, policy),
        (error: unknown) => this.deny(context, policy, error),
      );
    }
    return this.attach(context, request, principal, policy);
  }

  /** Step 4: make the caller available to `@CurrentUser()`, through `resolveUser` when configured. */
  protected attach(
    context: ExecutionContext,
    request: AuthRequest,
    principal: Principal,
    policy: RoutePolicy,
  ): boolean | Promise<boolean> {
    const resolveUser = this.settings.resolveUser;
    if (!resolveUser) {
      setPrincipal(request, principal, principal);
      return true;
    }
    const finish = (user: unknown): boolean => {
      if (user === null || user === undefined) {
        return this.deny(context, policy, new AuthError('invalid_credentials', { description: 'Unknown user' }));
      }
      setPrincipal(request, principal, user);
      return true;
    };
    let user: unknown;
    try {
      user = resolveUser(principal, request);
    } catch (error) {
      return this.deny(context, policy, error);
    }
    return isPromise(user) ? user.then(finish, (error: unknown) => this.deny(context, policy, error)) : finish(user);
  }

  /**
   * Turns a failure into the answer: for HTTP, headers on the response and Nest's exception for the
   * body; for GraphQL and WebSockets, the error each expects. Errors that are not `AuthError`s are
   * rethrown untouched (a bug answers 500, never a pass).
   */
  protected deny(context: ExecutionContext, routePolicy: RoutePolicy | undefined, error: unknown): never {
    const policy = compiled(routePolicy);
    error = failClosed(error); // store unreachable → 503, never a 500 or a pass
    if (!AuthError.isAuthError(error)) throw error;
    if (error.code === 'unavailable') {
      this.logger.error(`Denied ${this.describe(context)}: ${error.message}`, (error.cause as Error | undefined)?.stack);
    }
    this.explainer?.explain(context, policy, error);
    const contextual = this.contextDenials?.exceptionFor(context, error);
    if (contextual) throw contextual;
    let setHeader: SetHeader | undefined;
    if (context.getType() === 'http') {
      const response = context.switchToHttp().getResponse<unknown>();
      const adapter = this.adapterHost.httpAdapter;
      setHeader = (name, value) => adapter.setHeader(response, name, value);
    }
    throwHttpDenial(error, this.settings.errorResponse, setHeader, withResourceMetadata(this.challengesFor(policy, error), this.resourceMetadata.metadataUrl));
  }

  /** RFC 6750 §3 / RFC 9110 §11.6.1: one challenge per strategy the route accepts. */
  private challengesFor(policy: CompiledRoutePolicy | undefined, error: AuthError): readonly string[] {
    if (!policy) return [];
    const realm = this.settings.realm;
    switch (error.code) {
      case 'credentials_missing':
        return policy.missingChallenges;
      case 'invalid_token':
      case 'invalid_credentials':
      case 'invalid_request': {
        const challenges: string[] = [];
        for (const strategy of policy.strategyInstances) {
          const challenge = strategy.challenge?.(realm, strategy.name === error.strategy ? error : undefined);
          if (typeof challenge === 'string') challenges.push(challenge);
          else if (challenge) challenges.push(...challenge);
        }
        return challenges;
      }
      case 'insufficient_scope':
      case 'insufficient_user_authentication': {
        const strategy = policy.strategyInstances.find((s) => s.name === error.strategy);
        const challenge = strategy?.challenge?.(realm, error);
        // The challenge of the scheme that carries the scope error (a DPoP strategy lists Bearer first).
        return typeof challenge === 'string' ? [challenge] : challenge?.length ? [challenge[0]] : [];
      }
      default:
        return [];
    }
  }

  private describe(context: ExecutionContext): string {
    return `${context.getClass().name}.${context.getHandler().name}`;
  }
}

/** The policy as `RoutePolicies` compiled it (a subclass may pass a policy of its own making). */
function compiled(policy: RoutePolicy | undefined): CompiledRoutePolicy | undefined {
  return policy !== undefined && 'missingChallenges' in policy ? (policy as CompiledRoutePolicy) : undefined;
}
