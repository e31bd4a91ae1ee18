import { decodeProtectedHeader, errors, type JWTVerifyOptions } from 'jose';

/** What the hint may say about the configuration the token was checked against. */
export interface HintContext {
  /** The strategy's name, the options section to fix (`jwt`, `oidc`). */
  readonly strategy: string;
  readonly verifyOptions: JWTVerifyOptions;
  readonly maxTokenLength: number;
  readonly now: number;
}

/** A value for a log line: header and registered-claim values only, printable, short. */
function shown(value: unknown): string {
  const text = Array.isArray(value) ? `[${value.map((v) => JSON.stringify(v)).join(', ')}]` : JSON.stringify(value);
  const printable = String(text ?? 'none').replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 120 ? `${printable.slice(0, 117)}...` : printable;
}

const expected = (value: unknown): string => (value === undefined ? 'anything' : shown(value));
const iso = (seconds: unknown): string => (typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : shown(seconds));

function header(token: string): Record<string, unknown> {
  try {
    return decodeProtectedHeader(token) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * The developer's explanation of a refused JWT: what the token carried, what the strategy expected,
 * and the option that changes it. Only header fields and the registered claims `iss`, `aud`, `exp`,
 * `nbf` and `iat` are shown — never `sub`, custom claims, the signature or the token.
 */
export function refusalHint(error: unknown, token: string, context: HintContext): string | undefined {
  const { strategy, verifyOptions: options } = context;
  if (error instanceof errors.JWTExpired) {
    const exp = (error.payload as { exp?: unknown }).exp;
    return (
      `exp was ${iso(exp)}, now is ${new Date(context.now).toISOString()} (${strategy}.clockToleranceSeconds: ` +
      `${String(options.clockTolerance ?? 0)}): get a fresh token; raise the tolerance only if the issuer's clock is behind`
    );
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const payload = error.payload as Record<string, unknown>;
    switch (error.claim) {
      case 'typ':
        return (
          `typ was ${shown(header(token).typ)}, expected ${expected(options.typ)} (RFC 9068 access tokens). Tokens made by ` +
          `jsonwebtoken and many identity providers say "JWT": set ${strategy}.typ: 'JWT', or false to accept any typ`
        );
      case 'iss':
        return `iss was ${shown(payload.iss)}, expected ${expected(options.issuer)}: set ${strategy}.issuer to the issuer your tokens carry`;
      case 'aud':
        return `aud was ${shown(payload.aud)}, expected ${expected(options.audience)}: set ${strategy}.audience to the audience your tokens are issued for`;
      case 'nbf':
      case 'iat':
        return (
          `${error.claim} was ${iso(payload[error.claim])}, now is ${new Date(context.now).toISOString()}: the issuer's clock is ahead; ` +
          `raise ${strategy}.clockToleranceSeconds (now ${String(options.clockTolerance ?? 0)})`
        );
      default:
        if (error.reason === 'missing') {
          return (
            `the token has no ${error.claim} claim; required are ${(options.requiredClaims ?? []).join(', ')} ` +
            `(exp and sub always, the rest from ${strategy}.requiredClaims)`
          );
        }
        return `the ${error.claim} claim has an unexpected value (${error.reason})`;
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return `alg was ${shown(header(token).alg)}, not in ${strategy}.algorithms ${shown(options.algorithms)}: add it if your issuer signs with it`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    const { kid, alg } = header(token);
    return (
      `no configured key matches kid ${shown(kid)} and alg ${shown(alg)}: the issuer rotated its keys, or ${strategy}.jwks/` +
      `jwksUri/publicKeys belong to another issuer`
    );
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return (
      `the signature does not verify with the key for kid ${shown(header(token).kid)}: ${strategy}.secret or its public keys ` +
      'are not the ones the issuer signs with'
    );
  }
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) {
    return 'the token is not a valid signed JWT (a JWS in compact form whose payload is a JSON claims set)';
  }
  return undefined;
}

/** The hint for a token refused before jose saw it. */
export function malformedHint(token: string, maxTokenLength: number): string {
  if (!token) return 'the Authorization header says Bearer but carries no token';
  if (token.length > maxTokenLength) return `the token is ${token.length} characters, above maxTokenLength (${maxTokenLength})`;
  return 'the token is not three base64url parts separated by dots (a compact JWS); was it URL-encoded or quoted?';
}
