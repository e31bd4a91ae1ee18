import type { AuthRequest } from '../request/auth-request.js';
import { handshakeRequest } from '../request/handshake-request.js';

/**
 * One view per field resolution, keyed by graphql-js's `info` object (new for every field it
 * resolves). Field resolutions of one operation run concurrently and share one HTTP request, so
 * what the guard attaches (caller, owned resource) must not live on the shared request itself.
 */
const fieldViews = new WeakMap<object, AuthRequest>();

/** One view per graphql-ws connection (its context object lives as long as the socket). */
const connectionViews = new WeakMap<object, AuthRequest>();

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;
const hasHeaders = (value: unknown): value is AuthRequest => isObject(value) && isObject(value.headers);

/** graphql-ws's per-connection context: `connectionParams` from `connection_init`, `extra.request` the upgrade. */
interface GraphQLWsContext {
  readonly connectionInitReceived: boolean;
  readonly connectionParams?: Readonly<Record<string, unknown>>;
  readonly extra?: {
    readonly request?: {
      readonly headers?: Record<string, string | string[] | undefined>;
      readonly url?: string;
      readonly socket?: { readonly remoteAddress?: string; readonly encrypted?: boolean };
    };
  };
}

const isGraphQLWsContext = (value: unknown): value is GraphQLWsContext =>
  isObject(value) && typeof value.connectionInitReceived === 'boolean';

/**
 * A subscription over graphql-ws: the upgrade request's headers (cookies) and query, with the
 * `connectionParams` read as socket.io's `auth` payload (`authorization` or `token`). Built once
 * per connection.
 */
function connectionRequest(connection: GraphQLWsContext): AuthRequest {
  let view = connectionViews.get(connection);
  if (!view) {
    const upgrade = connection.extra?.request;
    const url = upgrade?.url;
    const query = url
      ? Object.fromEntries(new URLSearchParams(url.slice(url.indexOf('?') + 1 || url.length)))
      : {};
    view = handshakeRequest({
      headers: upgrade?.headers ?? {},
      query,
      auth: isObject(connection.connectionParams) ? connection.connectionParams : undefined,
      address: upgrade?.socket?.remoteAddress,
      secure: upgrade?.socket?.encrypted === true,
      url,
    });
    connectionViews.set(connection, view);
  }
  return view;
}

/**
 * The HTTP request behind a GraphQL context value. `@nestjs/apollo` puts it at `req` on Express
 * (the Express request) and on Fastify (the Fastify request); `request` is accepted for custom
 * context functions that use that name. For subscriptions over graphql-ws, `@nestjs/apollo` puts
 * the graphql-ws connection context at `req`: its handshake is read instead.
 */
export function graphqlHttpRequest(contextValue: unknown): AuthRequest {
  if (isObject(contextValue)) {
    if (hasHeaders(contextValue.req)) return contextValue.req;
    if (hasHeaders(contextValue.request)) return contextValue.request;
    if (isGraphQLWsContext(contextValue.req)) return connectionRequest(contextValue.req);
    if (isGraphQLWsContext(contextValue)) return connectionRequest(contextValue);
  }
  throw new TypeError(
    'nest-warden: the GraphQL context carries no HTTP request. Return it from your context function, ' +
      'e.g. GraphQLModule.forRoot({ context: ({ req }) => ({ req }) }).',
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
      params: {
        value: isObject(fieldArgs) ? fieldArgs : {},
        enumerable: true,
        writable: true,
        configurable: true,
      },
      user: { value: undefined, enumerable: true, writable: true, configurable: true },
    }) as AuthRequest;
    fieldViews.set(info, view);
  }
  return view;
}
