/**
 * Passkeys (WebAuthn) for sign-in and as a second factor (`forRoot({ passkeys: {...} })`); needs a
 * `PasskeyDirectory` provider, a `UserDirectory`, and `session` for sign-in and step-up.
 */
export interface PasskeyOptions {
  /**
   * The relying-party id: your site's registrable domain or a suffix of it (e.g. `example.com`,
   * `localhost` in development). Passkeys are bound to it; it never comes from request headers.
   */
  readonly rpId: string;
  /** The name authenticators show beside the account. Default: the module's `realm`. */
  readonly rpName?: string;
  /**
   * The exact origins (`scheme://host[:port]`) your pages run on, e.g. `['https://example.com']`.
   * A ceremony from any other origin is refused. Each must be `https:` or loopback `http:`.
   */
  readonly origins: readonly string[];
  /**
   * `required` (default): the authenticator must verify the user (PIN, biometrics) every time, so
   * a passkey sign-in is multi-factor (`amr` gains `mfa`). `preferred` accepts a mere touch; such a
   * sign-in is one factor (`['hwk', 'user']`) and does not satisfy `@Auth({ mfa: true })`.
   */
  readonly userVerification?: 'required' | 'preferred';
  /** How long a ceremony's challenge stays usable (it works once). Default 5 minutes. */
  readonly challengeTtlMs?: number;
  /** The `timeout` hint given to the browser. Default: `challengeTtlMs`. */
  readonly timeoutMs?: number;
  /** Most passkeys one user may register. Default 20. */
  readonly maxPerUser?: number;
}

/** Paths of the passkey endpoints (`forRoot({ passkeyEndpoints })`); `false` leaves one out. */
export interface PasskeyEndpoints {
  /** `POST` (signed in) → `PublicKeyCredentialCreationOptionsJSON` for `navigator.credentials.create()`. Default `/auth/passkeys/registration/options`. */
  readonly registrationOptions: string | false;
  /** `POST { response, name? }` (signed in): the `create()` result as JSON → the new passkey (201). Default `/auth/passkeys/registration`. */
  readonly registration: string | false;
  /** `POST { username? }` (public) → `PublicKeyCredentialRequestOptionsJSON`; without `username`, any discoverable passkey. Default `/auth/passkeys/authentication/options`. */
  readonly authenticationOptions: string | false;
  /** `POST { response }` (public): the `get()` result as JSON → session cookie + `{ csrfToken, amr }`. Default `/auth/passkeys/authentication`. */
  readonly authentication: string | false;
  /** `POST` (session) → request options listing the user's own passkeys, for step-up. Default `/auth/passkeys/step-up/options`. */
  readonly stepUpOptions: string | false;
  /** `POST { response }` (session): a passkey of the signed-in user → new session cookie whose `amr` gains `hwk` (and `mfa`). Default `/auth/passkeys/step-up`. */
  readonly stepUp: string | false;
  /** `GET` (signed in): the user's passkeys. Also the base of `PATCH`/`DELETE <path>/:id`. Default `/auth/passkeys`. */
  readonly manage: string | false;
}
