import type { Type } from '@nestjs/common';
import { DECORATORS, type OperationObject, type SecurityRequirementObject } from '@nestjs/swagger';
import type { RouteHandler } from '../policy/policy-metadata.js';

const ROUTE_MARKER = 'x-nest-warden-route';
const CONTROLLER_MARKER = 'x-nest-warden-controller:';

export interface MarkedRoute {
  readonly controller: Type;
  readonly handler: RouteHandler;
}

/**
 * Tells which route each operation of a generated document documents, without recomputing paths:
 * while `SwaggerModule` scans, every route handler carries an `x-` extension naming it, and every
 * controller a class-level security entry naming it (a handler inherited by several controllers is
 * one function, so the pair is needed). Swagger's explorer copies both onto each operation it
 * emits, whatever the global prefix, versioning, module path or adapter; {@link take} reads and
 * removes them. {@link restore} puts the metadata back exactly as it was, so nothing outlives
 * the scan and two applications in one process never see each other's markers.
 */
export class RouteMarkers<R extends MarkedRoute> {
  private readonly byKey = new Map<string, R>();
  private readonly byHandler = new Map<RouteHandler, R[]>();
  private readonly handlerIds = new Map<RouteHandler, number>();
  private readonly controllerIds = new Map<Type, number>();
  private readonly undo: (() => void)[] = [];

  constructor(routes: readonly R[]) {
    for (const route of routes) {
      const handlerId = this.idOf(this.handlerIds, route.handler);
      const controllerId = this.idOf(this.controllerIds, route.controller);
      const key = `${controllerId}:${handlerId}`;
      if (this.byKey.has(key)) continue;
      this.byKey.set(key, route);
      this.byHandler.set(route.handler, [...(this.byHandler.get(route.handler) ?? []), route]);
    }
  }

  /** Writes the markers; always pair with {@link restore} in a `finally`. */
  write(): void {
    for (const [handler, id] of this.handlerIds) {
      this.define(DECORATORS.API_EXTENSION, handler, (inherited: Record<string, unknown> | undefined) => ({
        ...inherited,
        [ROUTE_MARKER]: id,
      }));
    }
    for (const [controller, id] of this.controllerIds) {
      this.define(DECORATORS.API_SECURITY, controller, (inherited: SecurityRequirementObject[] | undefined) => [
        ...(inherited ?? []),
        { [`${CONTROLLER_MARKER}${id}`]: [] },
      ]);
    }
  }

  restore(): void {
    while (this.undo.length) this.undo.pop()!();
  }

  /** The route an operation documents, removing the markers from it; `undefined` if unmarked. */
  take(operation: OperationObject): R | undefined {
    const record = operation as unknown as Record<string, unknown>;
    const handlerId = record[ROUTE_MARKER];
    delete record[ROUTE_MARKER];
    let controllerId: string | undefined;
    if (Array.isArray(operation.security)) {
      const kept = operation.security.filter((requirement) => {
        const marker = Object.keys(requirement).find((key) => key.startsWith(CONTROLLER_MARKER));
        if (marker !== undefined) controllerId = marker.slice(CONTROLLER_MARKER.length);
        return marker === undefined;
      });
      if (kept.length) operation.security = kept;
      else delete operation.security;
    }
    if (typeof handlerId !== 'number') return undefined;
    const route = this.byKey.get(`${controllerId}:${handlerId}`);
    if (route) return route;
    // No controller marker (class metadata replaced mid-scan): unambiguous only for an unshared handler.
    const handler = [...this.handlerIds].find(([, id]) => id === handlerId)?.[0];
    const candidates = handler ? this.byHandler.get(handler) : undefined;
    return candidates?.length === 1 ? candidates[0] : undefined;
  }

  private idOf<K>(ids: Map<K, number>, key: K): number {
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    return id;
  }

  private define<T>(key: string, target: object, extend: (inherited: T | undefined) => T): void {
    const hadOwn = Reflect.hasOwnMetadata(key, target);
    const own: unknown = Reflect.getOwnMetadata(key, target);
    Reflect.defineMetadata(key, extend(Reflect.getMetadata(key, target) as T | undefined), target);
    this.undo.push(() => {
      if (hadOwn) Reflect.defineMetadata(key, own, target);
      else Reflect.deleteMetadata(key, target);
    });
  }
}
