import { Injectable, Logger, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import { ApplicationConfig, ModulesContainer } from '@nestjs/core';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { RequestPolicy } from '../network/request-policy.js';
import { CoreSettings } from '../settings/core-settings.js';
import type { RouteHandler } from '../policy/policy-metadata.js';
import { RoutePolicies } from '../policy/route-policies.js';
import { configurationConflicts, fixFor } from './policy-conflicts.js';
import { formatManifestTable } from './manifest-table.js';
import type { RouteManifestEntry } from './route-manifest.entry.js';
import { type RouteLocation, routeLocations } from './route-paths.js';

/**
 * The route security manifest: every route with its effective policy, resolved by the same code the
 * guard uses (`RoutePolicies.resolve`). At boot it logs the table (debug level), warns about
 * contradictory metadata, and with `strict: true` refuses to start on any.
 */
@Injectable()
export class RouteManifest implements OnApplicationBootstrap {
  private readonly logger = new Logger('nest-warden');
  private locations: WeakMap<RouteHandler, readonly RouteLocation[]> | undefined;

  constructor(
    private readonly policies: RoutePolicies,
    private readonly options: CoreSettings,
    private readonly requestPolicy: RequestPolicy,
    private readonly config: ApplicationConfig,
    private readonly modules: ModulesContainer,
  ) {}

  onApplicationBootstrap(): void {
    const entries = this.describe();
    const conflicting = entries.filter((entry) => entry.conflicts.length > 0);
    if (conflicting.length && this.options.strict) {
      const lines = conflicting.flatMap((entry) =>
        entry.conflicts.map((c) => `  ${entry.method} ${entry.path} (${entry.handler}): ${c}. Fix: ${fixFor(c)}.`),
      );
      throw new AuthConfigurationError(
        `nest-warden: strict mode refuses ${lines.length === 1 ? 'a route' : `${lines.length} routes`} with contradictory ` +
          `security metadata; fix the decorators below, or pass strict: false to only log them:\n${lines.join('\n')}`,
      );
    }
    for (const entry of conflicting) {
      for (const conflict of entry.conflicts) {
        this.logger.warn(`${entry.method} ${entry.path} (${entry.handler}): ${conflict}. Fix: ${fixFor(conflict)}.`);
      }
    }
    if (Logger.isLevelEnabled('debug')) {
      this.logger.debug(`Route security manifest (${entries.length} routes):\n${formatManifestTable(entries)}`);
    }
  }

  /** Every route and its effective policy, one row per method and path, in registration order. */
  describe(): RouteManifestEntry[] {
    const entries: RouteManifestEntry[] = [];
    for (const { controller, handler, methodName, module } of this.policies.routeHandlers()) {
      const policy = this.policies.resolve(controller, handler);
      const conflicts = Object.freeze([...policy.conflicts, ...configurationConflicts(policy)]);
      for (const { method, path } of this.locate(controller, handler, module)) {
        entries.push(
          Object.freeze({
            method,
            path,
            handler: `${controller.name}.${methodName}`,
            access: policy.access,
            strategies: policy.strategies,
            roles: policy.roles,
            permissions: policy.permissions,
            scopes: policy.scopes,
            owner: policy.owner?.resolver.name,
            ownerBypass: policy.owner?.bypass ?? [],
            mfa: policy.mfa,
            can: policy.can && {
              action: policy.can.action,
              subject: policy.can.subject,
              resource: (policy.can.resource ?? policy.owner?.resolver)?.name,
            },
            allowFrom: policy.allowFrom,
            requireHttps: this.requestPolicy.httpsRequired,
            conflicts,
          }),
        );
      }
    }
    return entries;
  }

  /**
   * `GET /api/admin/users` for a handler, as development logs name routes: by template, never by the
   * request's own URL (which may carry secrets). Handlers that are not HTTP routes get `Class.method`.
   */
  label(controller: Type, handler: RouteHandler): string {
    const locations = this.locationsOf(handler) ?? this.locate(controller, handler, undefined);
    if (!locations.length) return `${controller.name}.${handler.name}`;
    return `${locations[0].method} ${[...new Set(locations.map((l) => l.path))].join(' | ')}`;
  }

  /** The served paths of a route handler (global prefix and version included). */
  pathsOf(controller: Type, handler: RouteHandler): string[] {
    return [...new Set((this.locationsOf(handler) ?? this.locate(controller, handler, undefined)).map((location) => location.path))];
  }

  private locationsOf(handler: RouteHandler): readonly RouteLocation[] | undefined {
    if (!this.locations) {
      this.locations = new WeakMap();
      for (const route of this.policies.routeHandlers()) {
        this.locations.set(route.handler, this.locate(route.controller, route.handler, route.module));
      }
    }
    return this.locations.get(handler);
  }

  private locate(controller: Type, handler: RouteHandler, module: Type | undefined): RouteLocation[] {
    return routeLocations(this.config, this.modules.applicationId, module, controller, handler);
  }
}
