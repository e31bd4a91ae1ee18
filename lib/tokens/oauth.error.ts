/** RFC 6749 §5.2 and RFC 7009 §2.2.1 error codes the token and revocation endpoints answer with. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'temporarily_unavailable'
  /** RFC 9449 §5: the `DPoP` proof sent to the token endpoint is invalid. */
  | 'invalid_dpop_proof'
  /** RFC 9449 §8: the proof must carry the server's nonce (sent in `DPoP-Nonce`). */
  | 'use_dpop_nonce';

export interface OAuthErrorOptions {
  readonly cause?: unknown;
  /** For lockouts (429) and outages (503). */
  readonly retryAfterSeconds?: number;
  /** A 429 rather than a 400 (`invalid_grant` while the account is locked). */
  readonly tooManyAttempts?: boolean;
  /** A fresh DPoP nonce for the `DPoP-Nonce` header (`use_dpop_nonce`, RFC 9449 §8). */
  readonly dpopNonce?: string;
}

/**
 * A token-endpoint failure, independent of HTTP: `code` and a short `description` safe for the
 * client (`error_description`). `token-endpoint.ts` turns it into the answer.
 */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly retryAfterSeconds: number | undefined;
  readonly tooManyAttempts: boolean;
  readonly dpopNonce: string | undefined;

  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    options: OAuthErrorOptions = {},
  ) {
    super(`${code}: ${description}`, { cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.tooManyAttempts = options.tooManyAttempts ?? false;
    this.dpopNonce = options.dpopNonce;
  }
}
