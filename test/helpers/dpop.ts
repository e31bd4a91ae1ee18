import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export interface ProofOptions {
  readonly htm?: string;
  readonly htu: string;
  /** The access token whose hash goes into `ath`; `null` leaves `ath` out. */
  readonly accessToken?: string | null;
  /** Override `ath` itself. */
  readonly ath?: string;
  readonly nonce?: string;
  /** Seconds since the epoch; default now. */
  readonly iat?: number;
  readonly jti?: string;
  readonly typ?: string;
  /** Another header `jwk` than the signing key's public one (e.g. with its private part). */
  readonly jwk?: JWK;
}

/** A client's DPoP key: makes proofs (RFC 9449 §4.2) by hand, for the refusals oauth4webapi never makes. */
export class DpopKey {
  private constructor(
    readonly alg: string,
    readonly privateKey: CryptoKey,
    readonly publicJwk: JWK,
    readonly privateJwk: JWK,
    readonly jkt: string,
  ) {}

  static async generate(alg = 'ES256'): Promise<DpopKey> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    return new DpopKey(alg, privateKey, publicJwk, await exportJWK(privateKey), await calculateJwkThumbprint(publicJwk, 'sha256'));
  }

  proof(options: ProofOptions): Promise<string> {
    const payload: Record<string, unknown> = {
      jti: options.jti ?? randomUUID(),
      htm: options.htm ?? 'GET',
      htu: options.htu,
      iat: options.iat ?? Math.floor(Date.now() / 1000),
    };
    if (options.ath !== undefined) payload.ath = options.ath;
    else if (options.accessToken) payload.ath = createHash('sha256').update(options.accessToken).digest('base64url');
    if (options.nonce !== undefined) payload.nonce = options.nonce;
    return new SignJWT(payload)
      .setProtectedHeader({ alg: this.alg, typ: options.typ ?? 'dpop+jwt', jwk: options.jwk ?? this.publicJwk })
      .sign(this.privateKey);
  }
}
