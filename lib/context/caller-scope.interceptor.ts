import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { Observable } from 'rxjs';
import { getPrincipal } from '../request/request-state.js';
import { requestFromContext } from './context-request.js';
import { CurrentPrincipal } from './current-principal.js';

const CONTEXTS = new Set(['http', 'graphql', 'ws']);

// Where TypeScript and Nest's @Inject() record a class's dependencies (@nestjs/common constants).
const PARAMTYPES_METADATA = 'design:paramtypes';
const SELF_DECLARED_DEPS_METADATA = 'self:paramtypes';
const PROPERTY_DEPS_METADATA = 'self:properties_metadata';

/**
 * Runs every handler call inside the scope that `CurrentPrincipal` reads: the principal the guard
 * attached to this call's request. A global interceptor (after the guard, before the handler) only
 * when some provider or controller of the app injects `CurrentPrincipal` (see
 * `callerScopeInterceptorIfInjected`): any global interceptor puts Nest's interceptor chain (an
 * Observable per call) on every route, which cost a warm Fastify route about a quarter of its rate.
 */
@Injectable()
export class CallerScopeInterceptor implements NestInterceptor {
  constructor(private readonly current: CurrentPrincipal) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!CONTEXTS.has(context.getType<string>())) return next.handle();
    const request = requestFromContext(context);
    const principal = getPrincipal(request);
    const user = principal ? request.user : undefined;
    return new Observable((subscriber) => this.current.run(principal, user, () => next.handle().subscribe(subscriber)));
  }
}

/**
 * The `APP_INTERCEPTOR` factory: the interceptor when the app injects `CurrentPrincipal` anywhere,
 * else `null`, which Nest skips, so the app has no global interceptor of ours at all.
 */
export function callerScopeInterceptorIfInjected(interceptor: CallerScopeInterceptor, current: CurrentPrincipal, modules: ModulesContainer): CallerScopeInterceptor | null {
  current.enabled = injectsCurrentPrincipal(modules);
  return current.enabled ? interceptor : null;
}

/** Whether any class the app instantiates declares `CurrentPrincipal` as a constructor or property dependency. */
function injectsCurrentPrincipal(modules: ModulesContainer): boolean {
  for (const module of modules.values()) {
    for (const wrapper of [...module.providers.values(), ...module.controllers.values(), ...module.injectables.values()]) {
      const type = wrapper.metatype;
      if (type === callerScopeInterceptorIfInjected) continue; // this very factory
      if (wrapper.inject?.includes(CurrentPrincipal)) return true;
      if (typeof type !== 'function' || type === CurrentPrincipal || type === CallerScopeInterceptor) continue;
      const params: unknown[] = Reflect.getMetadata(PARAMTYPES_METADATA, type) ?? [];
      const declared: { param: unknown }[] = Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, type) ?? [];
      const properties: { type: unknown }[] = Reflect.getMetadata(PROPERTY_DEPS_METADATA, type) ?? [];
      if (params.includes(CurrentPrincipal) || declared.some((d) => d.param === CurrentPrincipal) || properties.some((p) => p.type === CurrentPrincipal)) {
        return true;
      }
    }
  }
  return false;
}
