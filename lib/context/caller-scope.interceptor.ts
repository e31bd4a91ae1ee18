import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, type OnApplicationBootstrap } from '@nestjs/common';
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
 * attached to this call's request. Registered as a global interceptor (after the guard, before the
 * handler), and a no-op unless some provider or controller of the app injects `CurrentPrincipal`,
 * so applications that do not use it pay nothing for AsyncLocalStorage.
 */
@Injectable()
export class CallerScopeInterceptor implements NestInterceptor, OnApplicationBootstrap {
  constructor(
    private readonly current: CurrentPrincipal,
    private readonly modules: ModulesContainer,
  ) {}

  onApplicationBootstrap(): void {
    this.current.enabled = this.injected();
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.current.enabled || !CONTEXTS.has(context.getType<string>())) return next.handle();
    const request = requestFromContext(context);
    const principal = getPrincipal(request);
    const user = principal ? request.user : undefined;
    return new Observable((subscriber) => this.current.run(principal, user, () => next.handle().subscribe(subscriber)));
  }

  /** Whether any class the app instantiates declares `CurrentPrincipal` as a constructor or property dependency. */
  private injected(): boolean {
    for (const module of this.modules.values()) {
      for (const wrapper of [...module.providers.values(), ...module.controllers.values(), ...module.injectables.values()]) {
        const type = wrapper.metatype;
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
}
