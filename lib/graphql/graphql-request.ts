import type { AuthRequest } from '../http/auth-request.js';

/**
 * One view per field resolution, keyed by graphql-js's `info` object (new for every field it
 * resolves). Field resolutions of one operation run concurrently and share one HTTP request, so
 * what the guard attaches (caller, owned resource) must not live on the shared request itself.
 */
const fieldViews = new WeakMap<object, AuthRequest>();

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const hasHeaders = (value: unknown): value is AuthRequest => isObject(value) && isObject(value.headers);

/**
 * The HTTP request behind a GraphQL context value. `@nestjs/apollo` puts it at `req` on Express
 * (the Express request) and on Fastify (the Fastify request); `request` is accepted for custom
 * context functions that use that name.
 */
export function graphqlHttpRequest(contextValue: unknown): AuthRequest {
  if (isObject(contextValue)) {
    if (hasHeaders(contextValue.req)) return contextValue.req;
    if (hasHeaders(contextValue.request)) return contextValue.request;
  }
  throw new TypeError(
    'nest-warden: the GraphQL context carries no HTTP request. Return it from your context function, ' +
      'e.g. GraphQLModule.forRoot({ context: ({ req }) => ({ req }) }); for subscriptions, build one ' +
      'whose headers come from the connection parameters (see docs/graphql-websockets.md).',
  );
}

/**
 * The request the guard and `@CurrentUser()` see for one resolver call (`[root, args, context, info]`):
 * a view over the HTTP request that reads its headers, query and cookies as they are, with the
 * field's GraphQL arguments as `params` (for `@Owner()` resolvers) and its own caller and resource.
 */
export function graphqlRequest(resolverArgs: readonly unknown[]): AuthRequest {
  const [, fieldArgs, contextValue, info] = resolverArgs;
  const request = graphqlHttpRequest(contextValue);
  if (!isObject(info)) return request;
  let view = fieldViews.get(info);
  if (!view) {
    view = Object.create(request, {
      params: { value: isObject(fieldArgs) ? fieldArgs : {}, enumerable: true, writable: true, configurable: true },
      user: { value: undefined, enumerable: true, writable: true, configurable: true },
    }) as AuthRequest;
    fieldViews.set(info, view);
  }
  return view;
}
