import { createPublicKey, type KeyObject, webcrypto } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type ExportedJWKSCache,
  type JWK,
  jwksCache,
  type JWTHeaderParameters,
  type FlattenedJWSInput,
  type JWTVerifyGetKey,
} from 'jose';
import { AuthConfigurationError } from '../../errors/configuration.error.js';
import type { JwtAlgorithm, JwtStrategyOptions } from './jwt.options.js';
import { type FetchedKeySet, KeyStamps, type StampedKeySource } from './key-stamps.js';

/** A key source failed for reasons other than the token (network, provider down): fail closed. */
export class KeySourceUnavailableError extends Error {
  override readonly name = 'KeySourceUnavailableError';
  readonly code = 'keys_unavailable';
}

const MIN_HMAC_BYTES: Partial<Record<JwtAlgorithm, number>> = { HS256: 32, HS384: 48, HS512: 64 };

const isSymmetric = (alg: string) => alg.startsWith('HS');

/** Errors that mean "this token names no key we have", as opposed to "we could not get keys". */
const TOKEN_KEY_ERRORS = new Set(['ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS', 'ERR_JOSE_NOT_SUPPORTED']);

/**
 * Builds the key lookup jose calls for every token: HMAC secrets and local keys are imported once
 * here, at boot; a remote JWKS is cached by jose and refetched on an unknown `kid` at most once
 * per cooldown.
 */
export function createKeySource(options: JwtStrategyOptions, strategyName: string): StampedKeySource {
  const algorithms = options.algorithms;
  const hmacAlgorithms = algorithms.filter(isSymmetric);
  const asymmetricAlgorithms = algorithms.filter((alg) => !isSymmetric(alg));
  const stamps = new KeyStamps();

  /** HMAC keys per algorithm, imported once as `CryptoKey`s (given bytes, jose would import them on every token). */
  const hmacKeys = new Map<string, Promise<CryptoKey>>();
  /** The same once imported: handed to jose as they are, without a promise to wait on per token. */
  const importedHmacKeys = new Map<string, CryptoKey>();
  if (hmacAlgorithms.length) {
    if (options.secret === undefined) {
      throw AuthConfigurationError.create(
        `${strategyName}.algorithms allows ${hmacAlgorithms.join(', ')} but no \`secret\` is set.`,
        'Set `secret` (a random value of at least 32 bytes) or remove the HS* algorithms.',
      );
    }
    const bytes = typeof options.secret === 'string' ? Buffer.from(options.secret, 'utf8') : Buffer.from(options.secret);
    for (const alg of hmacAlgorithms) {
      const min = MIN_HMAC_BYTES[alg] ?? 32;
      if (bytes.length < min) {
        throw AuthConfigurationError.create(
          `${strategyName}.secret is ${bytes.length} bytes, too short for ${alg} (RFC 7518 §3.2 requires at least ${min}).`,
          `Use a random secret of at least ${min} bytes, e.g. \`openssl rand -base64 ${min}\`.`,
        );
      }
    }
    for (const alg of hmacAlgorithms) {
      const imported = webcrypto.subtle
        .importKey('raw', bytes, { name: 'HMAC', hash: `SHA-${alg.slice(2)}` }, false, ['verify'])
        .then((key) => {
          importedHmacKeys.set(alg, key as CryptoKey);
          return stamps.fixed(key as CryptoKey);
        });
      imported.catch(() => undefined); // a failure surfaces on the first token, not as an unhandled rejection
      hmacKeys.set(alg, imported);
    }
  } else if (options.secret !== undefined) {
    throw AuthConfigurationError.create(
      `${strategyName}.secret is set but algorithms (${algorithms.join(', ')}) contain no HS* algorithm.`,
      'Add e.g. "HS256" to `algorithms`, or remove `secret`.',
    );
  }

  const localKeys: JWK[] = [...(options.jwks?.keys ?? [])];
  for (const key of options.publicKeys ?? []) {
    if (typeof key === 'string') {
      let keyObject: KeyObject;
      try {
        keyObject = createPublicKey(key);
      } catch (cause) {
        throw new AuthConfigurationError(
          `nest-warden: ${strategyName}.publicKeys has an entry that is not a PEM public key. Pass an SPKI PEM ("-----BEGIN PUBLIC KEY-----") or a JWK.`,
          { cause },
        );
      }
      localKeys.push(keyObject.export({ format: 'jwk' }) as JWK);
    } else {
      localKeys.push(key);
    }
  }
  for (const key of localKeys) {
    if (key.kty === 'oct') {
      throw AuthConfigurationError.create(
        `${strategyName} has a symmetric JWK ("kty": "oct") among its public keys.`,
        'Public key sets hold asymmetric keys only; pass an HMAC key as `secret`.',
      );
    }
    if ('d' in key) {
      throw AuthConfigurationError.create(
        `${strategyName} was given a private JWK to verify with.`,
        'Pass only the public part of the key (without "d").',
      );
    }
  }
  const local = localKeys.length ? createLocalJWKSet({ keys: localKeys }) : undefined;

  let remote: JWTVerifyGetKey | undefined;
  if (options.jwksUri) {
    let url: URL;
    try {
      url = new URL(options.jwksUri);
    } catch {
      throw AuthConfigurationError.create(`${strategyName}.jwksUri "${options.jwksUri}" is not a URL.`, 'Pass an absolute https URL.');
    }
    const fetched: FetchedKeySet = {};
    const jwks = createRemoteJWKSet(url, {
      cooldownDuration: options.remoteJwks?.cooldownMs ?? 30_000,
      cacheMaxAge: options.remoteJwks?.cacheMaxAgeMs ?? 600_000,
      timeoutDuration: options.remoteJwks?.timeoutMs ?? 5_000,
      [jwksCache]: fetched as ExportedJWKSCache,
    });
    stamps.watch(jwks, fetched);
    remote = async (header, token) => {
      try {
        return stamps.fromRemote(await jwks(header, token), header);
      } catch (error) {
        stamps.refresh(); // a failed lookup may have refetched the set
        if (error instanceof errors.JOSEError && TOKEN_KEY_ERRORS.has(error.code)) throw error;
        throw new KeySourceUnavailableError(`JWKS at ${url.origin}${url.pathname} could not be used`, { cause: error });
      }
    };
  }

  if (asymmetricAlgorithms.length && !local && !remote) {
    throw AuthConfigurationError.create(
      `${strategyName}.algorithms allows ${asymmetricAlgorithms.join(', ')} but no public key is configured.`,
      'Set `publicKeys`, `jwks` or `jwksUri`, or allow only HS* algorithms with a `secret`.',
    );
  }

  const getKey = async (header: JWTHeaderParameters, token: FlattenedJWSInput) => {
    if (isSymmetric(header.alg)) {
      const key = importedHmacKeys.get(header.alg) ?? hmacKeys.get(header.alg);
      if (!key) throw new errors.JWKSNoMatchingKey();
      return key;
    }
    if (local) {
      try {
        return stamps.fixed(await local(header, token));
      } catch (error) {
        if (!remote || !(error instanceof errors.JWKSNoMatchingKey)) throw error;
      }
    }
    if (remote) return remote(header, token);
    throw new errors.JWKSNoMatchingKey();
  };
  return Object.assign(getKey, { keyStamps: stamps });
}
