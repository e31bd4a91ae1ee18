/** Cookie sessions (`forRoot({ session: {...} })`); the `session` strategy is enabled when present. */
export interface SessionOptions {
  /** Cookie name. Default `nw_session` (`__Host-nw_session` with `hostPrefix`). */
  readonly cookieName?: string;
  /**
   * Prefix the name with `__Host-`: browsers then accept the cookie only when it is `Secure`, has
   * `Path=/` and no `Domain`, so a sibling subdomain cannot plant or overwrite it. Recommended
   * in production. Default `false`.
   */
  readonly hostPrefix?: boolean;
  /** `Secure` attribute. Default `true`; turn off only for local development over plain http. */
  readonly secure?: boolean;
  /** `SameSite` attribute. Default `lax`. */
  readonly sameSite?: 'lax' | 'strict';
  /** `Domain` attribute, to share the session with subdomains. Default: none (host-only). */
  readonly domain?: string;
  /**
   * Give the cookie a `Max-Age` (the absolute timeout) so it survives a browser restart.
   * Default `false`: the cookie ends with the browser session.
   */
  readonly persistent?: boolean;
  /** A session ends after this long without a request. Default 30 minutes. */
  readonly idleTimeoutMs?: number;
  /** A session ends this long after login, however active. Default 8 hours. */
  readonly absoluteTimeoutMs?: number;
  /**
   * Origins (`scheme://host[:port]`) allowed to send unsafe requests with the session cookie
   * besides the server's own host, e.g. a front end on another origin of the same site.
   */
  readonly trustedOrigins?: readonly string[];
  /** Header carrying the CSRF token on unsafe requests. Default `X-CSRF-Token`. */
  readonly csrfHeader?: string;
  /**
   * Also accept the CSRF token from this field of the parsed body (e.g. `_csrf` in a
   * server-rendered HTML form, which cannot set headers). Default: the header only.
   */
  readonly csrfField?: string;
}

/** Paths of the session endpoints (`forRoot({ sessionEndpoints })`); `false` leaves one out. */
export interface SessionEndpoints {
  /** `POST`: JSON `{ username, password }` → cookie + `{ csrfToken }`. Default `/auth/session`. */
  readonly login: string | false;
  /** `GET`: the current session, including its `csrfToken`. Default `/auth/session`. */
  readonly current: string | false;
  /** `POST`: ends this session and clears the cookie. Default `/auth/session/logout`. */
  readonly logout: string | false;
  /** `POST`: ends every session (and, through `UserRevocation`, every refresh token) of the user. Default `/auth/session/logout-all`. */
  readonly logoutEverywhere: string | false;
  /** `POST`: second factor `{ code }` or `{ recoveryCode }` → new cookie with `amr` `otp`. Default `/auth/session/mfa`. */
  readonly mfa: string | false;
}
