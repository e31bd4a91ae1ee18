import type { INestApplicationContext } from '@nestjs/common';
import { RouteManifest } from './route-manifest.js';
import type { RouteManifestEntry } from './route-manifest.entry.js';

/**
 * The route security manifest of an initialized application: every route, its method and served path,
 * and the policy the guard enforces on it (access, strategies, roles, permissions, scopes, owner, mfa,
 * `@AllowFrom`), resolved by the guard's own code.
 *
 * @example
 * const app = await NestFactory.create(AppModule);
 * await app.init();
 * console.table(describeRoutes(app));
 */
export function describeRoutes(app: INestApplicationContext): RouteManifestEntry[] {
  return app.get(RouteManifest, { strict: false }).describe();
}
