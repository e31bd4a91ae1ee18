import type { Type } from '@nestjs/common';
import type { RouteHandler } from '../policy/policy-metadata.js';

/**
 * Metadata keys and option token `@nestjs/graphql` exports (`RESOLVER_TYPE_METADATA`,
 * `RESOLVER_PROPERTY_METADATA`, `RESOLVER_REFERENCE_METADATA`, `GRAPHQL_MODULE_OPTIONS`), copied
 * so that nest-warden reads resolvers without importing the package; `resolver-metadata.spec.ts`
 * checks they still match.
 */
export const RESOLVER_TYPE_METADATA = 'graphql:resolver_type';
export const RESOLVER_PROPERTY_METADATA = 'graphql:resolve_property';
export const RESOLVER_REFERENCE_METADATA = 'graphql:resolve_reference';
export const GRAPHQL_MODULE_OPTIONS = 'GqlModuleOptions';

/** Root operation types; every other resolver method resolves a field of an object type. */
const ROOT_TYPES: ReadonlySet<unknown> = new Set(['Query', 'Mutation', 'Subscription']);

interface MetadataReader {
  get<T>(key: string, target: object): T | undefined;
}

export interface ResolverHandler {
  readonly handler: RouteHandler;
  readonly methodName: string;
  /**
   * A field (`@ResolveField()`) or reference resolver: Nest runs guards on these only when
   * `GraphQLModule.forRoot({ fieldResolverEnhancers: ['guards'] })` says so.
   */
  readonly field: boolean;
}

/** The resolver methods of a class, as `@nestjs/graphql`'s explorer selects them. */
export function resolverHandlers(
  reader: MetadataReader,
  type: Type,
  methodNames: readonly string[],
): ResolverHandler[] {
  const handlers: ResolverHandler[] = [];
  const classType = reader.get<string>(RESOLVER_TYPE_METADATA, type);
  for (const methodName of methodNames) {
    const handler = (type.prototype as Record<string, unknown>)[methodName];
    if (typeof handler !== 'function') continue;
    const resolverType = reader.get<string>(RESOLVER_TYPE_METADATA, handler) ?? classType;
    if (resolverType === undefined || methodName === '__resolveType') continue;
    const root = ROOT_TYPES.has(resolverType);
    const field =
      reader.get<boolean>(RESOLVER_PROPERTY_METADATA, handler) === true ||
      reader.get<boolean>(RESOLVER_REFERENCE_METADATA, handler) === true;
    if (root || field) handlers.push({ handler: handler as RouteHandler, methodName, field: !root });
  }
  return handlers;
}
