/**
 * Which proxies in front of the app may tell it the client's address (`X-Forwarded-For`) and
 * scheme (`X-Forwarded-Proto`). Never trusted by default: without this, anyone can write those headers.
 *
 * - `false` (default): the socket's peer is the client; forwarded headers are ignored.
 * - a number `n`: the app sits behind exactly `n` proxies; the client is the `n`-th address from the
 *   right of `X-Forwarded-For` (counting the socket peer as the first hop), as Express's `trust proxy` does.
 * - a list of proxy addresses/CIDR ranges (and `loopback`, `linklocal`, `uniquelocal`): walking from the
 *   socket peer leftwards through `X-Forwarded-For`, the first address that is not a trusted proxy is
 *   the client — so addresses a client prepends itself are never believed.
 */
export type TrustProxyOption = false | number | readonly string[];

export interface RequireHttpsOptions {
  /**
   * Client addresses/CIDR ranges that may still use plain HTTP, e.g. the node network from which an
   * orchestrator probes `/health` directly. Matched against the client address after `trustProxy`.
   */
  readonly exempt?: readonly string[];
}

/**
 * Refuse plain-HTTP requests with 403 on every route (public ones included). A request is HTTPS when
 * its own connection is TLS, or when a trusted proxy (`trustProxy`) says so in `X-Forwarded-Proto`.
 */
export type RequireHttpsOption = boolean | RequireHttpsOptions;

/** Transport and network options (`forRoot({ trustProxy, requireHttps })`). */
export interface NetworkOptions {
  /**
   * Which proxies may report the client's address (`X-Forwarded-For`) and scheme (`X-Forwarded-Proto`)
   * to `@AllowFrom()`, `requireHttps`, lockouts and per-address rate limits: a hop count or the proxies' CIDR
   * ranges. Never trusted by default.
   */
  readonly trustProxy?: TrustProxyOption;
  /** Refuse plain-HTTP requests on every route with 403 (production). Default `false`. */
  readonly requireHttps?: RequireHttpsOption;
}
