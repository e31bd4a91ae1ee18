import type { AuthRequest } from './auth-request.js';
import { clearPrincipal } from './request-state.js';

/**
 * The parts of a WebSocket handshake nest-warden reads: socket.io's `socket.handshake` as it is,
 * or what a graphql-ws connection is made of (upgrade request + `connectionParams` as `auth`).
 */
export interface SocketHandshake {
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
  readonly query?: Readonly<Record<string, unknown>>;
  /**
   * Credentials sent inside the protocol rather than in HTTP headers: socket.io's CONNECT `auth`
   * payload (`io(url, { auth: { token } })`), graphql-ws's `connectionParams`. Read: `authorization`
   * (a full header value) or `token` (a bearer token).
   */
  readonly auth?: Readonly<Record<string, unknown>>;
  /** The peer's address (the socket's remote address). */
  readonly address?: string;
  /** Whether the connection is over TLS. */
  readonly secure?: boolean;
  readonly url?: string;
}

/** Query parameter carrying an access token (RFC 6750 §2.3's name). */
export const SOCKET_QUERY_TOKEN = 'access_token';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** The socket's request view, built once per socket from its handshake (which never changes). */
const socketViews = new WeakMap<object, AuthRequest>();
/** One view per message with an object payload: its own caller; `params` is the payload, for `@Owner()`. */
const messageViews = new WeakMap<object, AuthRequest>();
/** Messages without one: a view per socket and handler, written by that handler's guard only. */
const handlerViews = new WeakMap<AuthRequest, WeakMap<object, AuthRequest>>();

function headerFrom(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function bearerFrom(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const token = value.trim().replace(/^bearer\s+/i, '');
  return token ? `Bearer ${token}` : undefined;
}

/**
 * An `AuthRequest` built from a handshake, so strategies work unchanged: headers (with `Cookie`)
 * and query as the client sent them. When the handshake has no `Authorization` header of its own,
 * `auth.authorization`, else `auth.token`, else the `access_token` query parameter becomes one
 * (a token as `Bearer <token>`).
 */
export function handshakeRequest(handshake: SocketHandshake): AuthRequest {
  const headers = handshake.headers ?? {};
  let authorization: string | undefined;
  if (headers.authorization === undefined) {
    const query = handshake.query?.[SOCKET_QUERY_TOKEN];
    const auth = handshake.auth;
    authorization = headerFrom(auth?.authorization) ?? bearerFrom(auth?.token) ?? bearerFrom(query);
  }
  const request: AuthRequest & {
    readonly socket: { readonly remoteAddress?: string; readonly encrypted: boolean };
  } = {
    headers: authorization ? { ...headers, authorization } : headers,
    query: handshake.query ?? {},
    method: 'GET',
    url: handshake.url,
    ip: handshake.address,
    // Read by requireHttps, @AllowFrom() and trustProxy (`lib/network`), as on an HTTP request.
    socket: { remoteAddress: handshake.address, encrypted: handshake.secure === true },
    user: undefined,
  };
  return request;
}

/**
 * The request the guard and `@CurrentUser()` see. Without `handler` (the connection check,
 * `WsConnectionAuth.userOf`): the socket's view, built once per socket from its handshake (which never
 * changes), holding the caller the connection check verified. With `handler` (a message): a view of
 * the message's own, on top of the socket's, that starts without a caller, never inheriting the
 * connection's or an earlier message's (whose token may have expired since). A message whose payload
 * is an object gets a view per payload (the payload is its `params`, for `@Owner()`); one without
 * (nothing else identifies a message to both the guard and the parameter decorators) a view per
 * socket and handler, which only the guard of that handler writes: every message of a guarded
 * handler is checked again before it runs, so a `@Public()` handler never sees a caller.
 */
export function socketRequest(client: unknown, data?: unknown, handler?: object): AuthRequest {
  if (!isObject(client) || !isObject(client.handshake)) {
    throw new TypeError(
      'nest-warden: this WebSocket client has no handshake. Guarded gateways need the socket.io ' +
        'adapter (@nestjs/platform-socket.io), whose sockets carry the handshake credentials.',
    );
  }
  let view = socketViews.get(client);
  if (!view) {
    view = handshakeRequest(client.handshake as SocketHandshake);
    socketViews.set(client, view);
  }
  if (handler === undefined) return view;
  if (isObject(data)) {
    let message = messageViews.get(data);
    if (!message) messageViews.set(data, (message = ownView(view, data)));
    return message;
  }
  let perHandler = handlerViews.get(view);
  if (!perHandler) handlerViews.set(view, (perHandler = new WeakMap()));
  let message = perHandler.get(handler);
  if (!message) perHandler.set(handler, (message = ownView(view, undefined)));
  return message;
}

/** A view over the socket's with empty caller slots of its own (nothing inherited). */
function ownView(socketView: AuthRequest, params: unknown): AuthRequest {
  const own = Object.create(socketView, {
    params: { value: params, enumerable: true, writable: true, configurable: true },
  }) as AuthRequest;
  clearPrincipal(own);
  return own;
}
