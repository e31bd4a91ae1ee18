import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPair,
  type KeyObject,
  webcrypto,
} from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, errors, type JWK, type JWTHeaderParameters } from 'jose';
import { Clock } from '../../clock/clock.js';
import { AuthConfigurationError } from '../../errors/configuration.error.js';
import { StoreUnavailableError } from '../../stores/auth-store.js';
import { KeySourceUnavailableError } from '../../strategies/jwt/jwt-key-source.js';
import { KeyStamps, type StampedKeySource } from '../../strategies/jwt/key-stamps.js';
import { PublishedKeys } from './published-keys.js';
import { TokenSettings } from '../token-settings.js';
import type {
  GeneratedSigningOptions,
  PrivateKeySigningOptions,
  SecretSigningOptions,
  TokenSigningAlgorithm,
} from '../tokens.options.js';

/** A key to sign one token with. */
export interface SigningKey {
  readonly alg: string;
  readonly kid: string | undefined;
  readonly key: KeyObject;
}

interface OwnKey {
  readonly kid: string;
  readonly alg: TokenSigningAlgorithm;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: JWK;
  /** Generated keys sign until then, and are replaced after. */
  readonly signUntil: number;
  /** Generated keys: other instances accept it until then (every token it signed expires before). */
  publishedUntil: number;
}

interface PeerKey {
  readonly key: KeyObject;
  readonly exp: number;
}

export type SigningMode = 'secret' | 'private-key' | 'generated';

const ALGORITHMS: readonly TokenSigningAlgorithm[] = ['EdDSA', 'ES256', 'ES384', 'RS256', 'PS256'];
/**
 * A published key covers the tokens it signs plus this much, and is re-published when less than a
 * minute of that is left: about once a minute while the instance signs, so a key lost with the
 * store's data (a flushed Redis) is back within a minute.
 */
const PUBLISH_AHEAD_MS = 2 * 60_000;
const REPUBLISH_SLACK_MS = 60_000;
const generate = promisify(generateKeyPair);

/**
 * The keys access tokens are signed and verified with: an HS256 secret, a configured private key,
 * or key pairs generated per instance (the default). Generated keys never leave the process; their
 * public halves are published through the store, so every instance verifies every instance's
 * tokens. Also the key lookup the JWT strategy uses for our own tokens, and the JWKS content.
 */
@Injectable()
export class SigningKeys implements OnModuleInit {
  private readonly logger = new Logger('nest-warden');
  readonly mode: SigningMode;
  /** The JWS algorithm of tokens we sign. */
  readonly algorithm: TokenSigningAlgorithm | 'HS256';
  private readonly secret: KeyObject | undefined;
  private readonly rotateAfterMs: number;
  private readonly cooldownMs: number;
  private current: OwnKey | undefined;
  private readonly retired: OwnKey[] = [];
  private readonly staticKeys = new Map<string, { key: KeyObject; jwk: JWK }>();
  private readonly peers = new Map<string, PeerKey>();
  private lastPeerRead = Number.NEGATIVE_INFINITY;
  private peerRead: Promise<void> | undefined;
  private ready: Promise<void> | undefined;
  private rotating: Promise<void> | undefined;
  private publishing: Promise<void> | undefined;
  private readonly configured: PrivateKeySigningOptions | undefined;
  /** How long each key handed to the JWT strategy stays trusted, for its verified-token cache. */
  private readonly stamps = new KeyStamps();
  /** The HS256 secret as a `CryptoKey`, imported once (given a `KeyObject`, jose imports it per token). */
  private hmacKey: Promise<CryptoKey> | undefined;

  constructor(
    private readonly settings: TokenSettings,
    private readonly published: PublishedKeys,
    private readonly clock: Clock,
  ) {
    const signing = settings.signing;
    let rotateAfterMs = 0;
    let cooldownMs = 0;
    if (signing.secret !== undefined && signing.privateKey !== undefined) {
      throw AuthConfigurationError.create('tokens.signing has both a secret and a privateKey.', 'Sign with one: remove either.');
    }
    if (signing.secret !== undefined) {
      this.mode = 'secret';
      this.algorithm = 'HS256';
      this.secret = importSecret(signing as SecretSigningOptions);
    } else if (signing.privateKey !== undefined) {
      this.mode = 'private-key';
      this.configured = signing as PrivateKeySigningOptions;
      this.algorithm = privateKeyAlgorithm(signing as PrivateKeySigningOptions);
    } else {
      this.mode = 'generated';
      const generated = signing as GeneratedSigningOptions;
      this.algorithm = checkAlgorithm(generated.alg ?? 'EdDSA', 'tokens.signing.alg');
      rotateAfterMs = positive(generated.rotateAfterSeconds, 24 * 60 * 60, 'rotateAfterSeconds') * 1000;
      cooldownMs = positive(generated.keyRefreshCooldownMs, 2000, 'keyRefreshCooldownMs');
    }
    this.rotateAfterMs = rotateAfterMs;
    this.cooldownMs = cooldownMs;
  }

  async onModuleInit(): Promise<void> {
    if (!this.settings.configured) return;
    await this.whenReady();
    if (this.mode !== 'generated') return;
    try {
      await this.publish(this.current!, this.clock.now() + this.settings.accessTtlMs);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      this.logger.warn('The store is unreachable: the signing key will be published when tokens are first issued');
    }
  }

  /** The key to sign a token expiring at `expiresAt` (ms) with; generated keys are rotated and published as needed. */
  async signingKey(expiresAt: number): Promise<SigningKey> {
    await this.whenReady();
    if (this.secret) return { alg: 'HS256', kid: undefined, key: this.secret };
    if (this.mode === 'generated') {
      if (this.clock.now() >= this.current!.signUntil) await this.rotate();
      const key = this.current!;
      if (key.publishedUntil < expiresAt + REPUBLISH_SLACK_MS) await this.publish(key, expiresAt);
    }
    const key = this.current!;
    return { alg: key.alg, kid: key.kid, key: key.privateKey };
  }

  /** jose's key lookup for our own tokens: by `kid`, reading other instances' keys on a miss (rate limited). */
  readonly keySource: StampedKeySource = Object.assign(async (header: JWTHeaderParameters) => this.verificationKey(header), {
    keyStamps: this.stamps,
  });

  private async verificationKey(header: JWTHeaderParameters): Promise<CryptoKey | KeyObject> {
    await this.whenReady();
    if (this.secret) {
      if (header.alg !== 'HS256') throw new errors.JWKSNoMatchingKey();
      this.hmacKey ??= webcrypto.subtle
        .importKey('raw', this.secret.export(), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
        .then((key) => this.stamps.fixed(key as CryptoKey));
      return this.hmacKey;
    }
    const kid = header.kid;
    if (typeof kid !== 'string') throw new errors.JWKSNoMatchingKey();
    const own = this.ownKey(kid);
    if (own) return own;
    if (this.mode !== 'generated') throw new errors.JWKSNoMatchingKey();
    const peer = await this.peerKey(kid);
    if (!peer) throw new errors.JWKSNoMatchingKey();
    return peer;
  }

  /** The public keys to publish at the JWKS endpoint; `undefined` when signing with a secret. */
  async jwks(): Promise<{ keys: JWK[] } | undefined> {
    await this.whenReady();
    if (this.secret) return undefined;
    const now = this.clock.now();
    const keys = new Map<string, JWK>();
    if (this.mode === 'generated') {
      for (const peer of await this.published.read()) keys.set(peer.jwk.kid!, peer.jwk);
      for (const own of [this.current!, ...this.retired]) if (own.publishedUntil > now) keys.set(own.kid, own.jwk);
    } else {
      keys.set(this.current!.kid, this.current!.jwk);
      for (const [kid, { jwk }] of this.staticKeys) keys.set(kid, jwk);
    }
    return { keys: [...keys.values()] };
  }

  private whenReady(): Promise<void> {
    return (this.ready ??= this.initialize());
  }

  private async initialize(): Promise<void> {
    if (this.mode === 'private-key') {
      this.current = await loadPrivateKey(this.configured!, this.algorithm as TokenSigningAlgorithm);
      for (const entry of this.configured!.previousPublicKeys ?? []) {
        const { key, jwk } = await loadPublicKey(entry, this.algorithm as TokenSigningAlgorithm);
        this.staticKeys.set(jwk.kid!, { key, jwk });
      }
    } else if (this.mode === 'generated') {
      this.current = await this.generate();
    }
  }

  private async generate(): Promise<OwnKey> {
    const alg = this.algorithm as TokenSigningAlgorithm;
    const { privateKey, publicKey } = await generatePair(alg);
    const jwk = await publicJwk(publicKey, alg);
    return { kid: jwk.kid!, alg, privateKey, publicKey, jwk, signUntil: this.clock.now() + this.rotateAfterMs, publishedUntil: 0 };
  }

  private rotate(): Promise<void> {
    return (this.rotating ??= (async () => {
      try {
        const previous = this.current!;
        this.current = await this.generate();
        if (previous.publishedUntil > this.clock.now()) this.retired.push(previous);
        this.logger.log(`Signing key rotated: ${previous.kid} → ${this.current.kid}`);
      } finally {
        this.rotating = undefined;
      }
    })());
  }

  private publish(key: OwnKey, expiresAt: number): Promise<void> {
    return (this.publishing ??= (async () => {
      try {
        const until = expiresAt + PUBLISH_AHEAD_MS;
        await this.published.publish(key.jwk, until);
        key.publishedUntil = until;
      } finally {
        this.publishing = undefined;
      }
    })());
  }

  private ownKey(kid: string): KeyObject | undefined {
    const current = this.current;
    if (current?.kid === kid) {
      // Generated: trusted while current, then until its publication ends (retired).
      return this.mode === 'generated'
        ? this.stamps.until(current.publicKey, Math.max(current.signUntil, current.publishedUntil))
        : this.stamps.fixed(current.publicKey);
    }
    const now = this.clock.now();
    for (let i = this.retired.length - 1; i >= 0; i--) {
      const key = this.retired[i];
      if (key.publishedUntil <= now) this.retired.splice(i, 1);
      else if (key.kid === kid) return this.stamps.until(key.publicKey, key.publishedUntil);
    }
    const configured = this.staticKeys.get(kid)?.key;
    return configured && this.stamps.fixed(configured);
  }

  private async peerKey(kid: string): Promise<KeyObject | undefined> {
    const cached = this.peers.get(kid);
    if (cached && cached.exp > this.clock.now()) return this.stamps.until(cached.key, cached.exp);
    if (this.clock.now() - this.lastPeerRead >= this.cooldownMs) await this.readPeers();
    const fresh = this.peers.get(kid);
    return fresh && fresh.exp > this.clock.now() ? this.stamps.until(fresh.key, fresh.exp) : undefined;
  }

  /** One read of the published keys at a time; callers during a read wait for it. */
  private readPeers(): Promise<void> {
    return (this.peerRead ??= (async () => {
      try {
        this.lastPeerRead = this.clock.now();
        const published = await this.published.read();
        this.peers.clear();
        for (const { jwk, exp } of published) {
          try {
            this.peers.set(jwk.kid!, { key: createPublicKey({ key: jwk as never, format: 'jwk' }), exp });
          } catch {
            this.logger.warn(`Ignoring a published signing key that cannot be imported (kid ${jwk.kid})`);
          }
        }
      } catch (error) {
        if (error instanceof StoreUnavailableError) {
          throw new KeySourceUnavailableError('The published signing keys could not be read', { cause: error });
        }
        throw error;
      } finally {
        this.peerRead = undefined;
      }
    })());
  }
}

function importSecret(signing: SecretSigningOptions): KeyObject {
  const secret = signing.secret;
  if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) {
    throw AuthConfigurationError.create('tokens.signing.secret must be a string or bytes.', 'Use a random value of at least 32 bytes.');
  }
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.length < 32) {
    throw AuthConfigurationError.create(
      `tokens.signing.secret is ${bytes.length} bytes, too short for HS256 (RFC 7518 §3.2 requires at least 32).`,
      'Use a random secret of at least 32 bytes, e.g. `openssl rand -base64 32`.',
    );
  }
  return createSecretKey(bytes);
}

function checkAlgorithm(alg: unknown, where: string): TokenSigningAlgorithm {
  if (!(ALGORITHMS as readonly unknown[]).includes(alg)) {
    throw AuthConfigurationError.create(`${where} is ${JSON.stringify(alg)}.`, `Use one of: ${ALGORITHMS.join(', ')}.`);
  }
  return alg as TokenSigningAlgorithm;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw AuthConfigurationError.create(`tokens.signing.${name} must be a positive whole number, got ${String(value)}.`, 'Fix it or leave it out.');
  }
  return value;
}

function parsePrivateKey(signing: PrivateKeySigningOptions): KeyObject {
  const input = signing.privateKey;
  if (typeof input === 'object' && input !== null && !('d' in input)) {
    throw AuthConfigurationError.create('tokens.signing.privateKey is a public JWK.', 'Pass the private key (with "d"), or use generated keys.');
  }
  try {
    return typeof input === 'string' ? createPrivateKey(input) : createPrivateKey({ key: input as never, format: 'jwk' });
  } catch (cause) {
    throw new AuthConfigurationError(
      'nest-warden: tokens.signing.privateKey cannot be read. Pass a PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----") or a private JWK.',
      { cause },
    );
  }
}

/** The algorithm a key type implies, checked against `alg` when given. */
function privateKeyAlgorithm(signing: PrivateKeySigningOptions): TokenSigningAlgorithm {
  const key = parsePrivateKey(signing);
  const fits = algorithmsFor(key);
  if (fits.length === 0) {
    throw AuthConfigurationError.create(
      `tokens.signing.privateKey is a ${describeKey(key)} key, which nest-warden does not sign with.`,
      'Use an Ed25519, P-256, P-384 or RSA (2048 bits or more) key.',
    );
  }
  if (signing.alg === undefined) return fits[0];
  const alg = checkAlgorithm(signing.alg, 'tokens.signing.alg');
  if (!fits.includes(alg)) {
    throw AuthConfigurationError.create(
      `tokens.signing.alg is ${alg} but the private key is a ${describeKey(key)} key.`,
      `Use ${fits.join(' or ')} with this key, or a key that fits ${alg}.`,
    );
  }
  return alg;
}

function algorithmsFor(key: KeyObject): TokenSigningAlgorithm[] {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return ['EdDSA'];
    case 'ec':
      return details.namedCurve === 'prime256v1' ? ['ES256'] : details.namedCurve === 'secp384r1' ? ['ES384'] : [];
    case 'rsa':
      return (details.modulusLength ?? 0) >= 2048 ? ['RS256', 'PS256'] : [];
    default:
      return [];
  }
}

function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  return [key.asymmetricKeyType, details.namedCurve, details.modulusLength && `${details.modulusLength}-bit`].filter(Boolean).join(' ');
}

async function loadPrivateKey(signing: PrivateKeySigningOptions, alg: TokenSigningAlgorithm): Promise<OwnKey> {
  const privateKey = parsePrivateKey(signing);
  const publicKey = createPublicKey(privateKey);
  const jwk = await publicJwk(publicKey, alg, signing.kid);
  return { kid: jwk.kid!, alg, privateKey, publicKey, jwk, signUntil: Number.POSITIVE_INFINITY, publishedUntil: Number.POSITIVE_INFINITY };
}

async function loadPublicKey(entry: string | JWK, alg: TokenSigningAlgorithm): Promise<{ key: KeyObject; jwk: JWK }> {
  if (typeof entry === 'object' && entry !== null && 'd' in entry) {
    throw AuthConfigurationError.create('tokens.signing.previousPublicKeys contains a private JWK.', 'List only public keys (without "d").');
  }
  let key: KeyObject;
  try {
    key = typeof entry === 'string' ? createPublicKey(entry) : createPublicKey({ key: entry as never, format: 'jwk' });
  } catch (cause) {
    throw new AuthConfigurationError(
      'nest-warden: an entry of tokens.signing.previousPublicKeys is not a public key. Pass an SPKI PEM or a public JWK.',
      { cause },
    );
  }
  const kid = typeof entry === 'object' && typeof entry.kid === 'string' ? entry.kid : undefined;
  const entryAlg = typeof entry === 'object' && typeof entry.alg === 'string' ? (entry.alg as TokenSigningAlgorithm) : alg;
  return { key, jwk: await publicJwk(key, entryAlg, kid) };
}

async function generatePair(alg: TokenSigningAlgorithm): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  switch (alg) {
    case 'EdDSA':
      return generate('ed25519');
    case 'ES256':
      return generate('ec', { namedCurve: 'P-256' });
    case 'ES384':
      return generate('ec', { namedCurve: 'P-384' });
    case 'RS256':
    case 'PS256':
      return generate('rsa', { modulusLength: 2048 });
  }
}

async function publicJwk(publicKey: KeyObject, alg: string, kid?: string): Promise<JWK> {
  const jwk = publicKey.export({ format: 'jwk' }) as JWK;
  return { ...jwk, kid: kid ?? (await calculateJwkThumbprint(jwk)), alg, use: 'sig' };
}
