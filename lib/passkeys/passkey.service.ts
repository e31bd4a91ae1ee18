import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { decodeAttestationObject, decodeClientDataJSON, isoBase64URL, parseAuthenticatorData } from '@simplewebauthn/server/helpers';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Clock } from '../clock/clock.js';
import { findAppProvider } from '../di/find-app-provider.js';
import { AuthError } from '../errors/auth.error.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { AuthEvents } from '../events/auth-events.js';
import { LoginThrottle } from '../login/login-throttle.js';
import { PasswordLogin } from '../login/password-login.js';
import { AuthStore } from '../stores/auth-store.js';
import { failClosed } from '../stores/fail-closed.js';
import { type UserAccount, UserDirectory } from '../users/user-directory.js';
import { PasskeyDirectory, type StoredPasskey } from './passkey-directory.js';
import { type PasskeyConfig, PasskeySettings } from './passkey-settings.js';
import { signatureCounterAccepted } from './signature-counter.js';

/** A passkey as its owner may see it (no key material). */
export interface PasskeyView {
  /** The credential id (base64url): the `:id` of `PATCH` and `DELETE`. */
  readonly id: string;
  /** The user's label. */
  readonly name: string;
  /** `multiDevice`: may be synced (backup eligible); `singleDevice`: bound to one authenticator. */
  readonly deviceType: 'singleDevice' | 'multiDevice';
  /** Currently backed up / synced (as of the last sign-in). */
  readonly backedUp: boolean;
  /** Transports the browser reported at registration. */
  readonly transports: readonly string[];
  /** Registered at (ms since epoch). */
  readonly createdAt: number;
  /** Last sign-in with it (ms since epoch). */
  readonly lastUsedAt?: number;
}

/** A verified passkey assertion: who signed in and the RFC 8176 `amr` values it shows. */
export interface PasskeyAssertion {
  /** The passkey owner's account, from the `UserDirectory`. */
  readonly account: UserAccount;
  /** The credential id of the passkey used. */
  readonly passkeyId: string;
  /** `['hwk', 'user', 'mfa']` with user verification, `['hwk', 'user']` without. */
  readonly amr: readonly string[];
}

type Purpose = 'register' | 'sign-in' | 'step-up';

/** What the store holds for one pending ceremony, under the SHA-256 of its challenge. */
interface PendingCeremony {
  readonly purpose: Purpose;
  /** The user the ceremony was started for (registration, step-up, sign-in with a username). */
  readonly userId?: string;
  /** The credential ids the options allowed (empty: any discoverable passkey). */
  readonly allow: readonly string[];
  readonly expiresAt: number;
}

const MAX_ID = 1024;
const MAX_FIELD = 64 * 1024;
const CHANNEL = 'passkey';
/** Failed sign-ins with a passkey nobody registered are counted under this name and the client address. */
const UNKNOWN_PASSKEY_SUBJECT = '\u0000unknown-passkey';

const sha256 = (value: string | Uint8Array): Buffer => createHash('sha256').update(value).digest();

/**
 * Passkeys (WebAuthn) on `@simplewebauthn/server`: registration, sign-in (discoverable or with an
 * allow-list) and step-up. Challenges are made here (256 random bits), kept in the `AuthStore`
 * for `challengeTtlMs` and consumed once (a store delete, atomic across instances) before any
 * check, so a response can never be verified twice. The relying-party id and origins come from the
 * configuration only. Every refused assertion counts towards the account's login lockout and
 * leaves the directory untouched.
 */
@Injectable()
export class PasskeyService implements OnApplicationBootstrap {
  private readonly config: PasskeyConfig | undefined;
  private directory: PasskeyDirectory | undefined;

  /** Created by Nest (inject it); not part of the public API. @internal */
  constructor(
    private readonly passkeySettings: PasskeySettings,
    private readonly store: AuthStore,
    private readonly clock: Clock,
    private readonly throttle: LoginThrottle,
    private readonly passwords: PasswordLogin,
    private readonly events: AuthEvents,
    private readonly moduleRef: ModuleRef,
  ) {
    this.config = passkeySettings.config;
  }

  /** Whether the `passkeys` option is set. */
  get enabled(): boolean {
    return this.config !== undefined;
  }

  /** Checks at boot that the app provides a `PasskeyDirectory` and a `UserDirectory`. */
  onApplicationBootstrap(): void {
    if (!this.config) return;
    this.passkeys();
    if (!findAppProvider(this.moduleRef, UserDirectory)) {
      throw AuthConfigurationError.create(
        'passkeys need a UserDirectory (a passkey sign-in starts a session for the account it finds).',
        'Provide one in your module: { provide: UserDirectory, useClass: YourUsersService }.',
      );
    }
  }

  /** Options for `navigator.credentials.create()` for the signed-in user (a discoverable passkey). */
  async registrationOptions(user: { readonly id: string; readonly username?: string }): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const config = this.settings();
    const existing = await this.passkeys().listByUser(user.id);
    if (existing.length >= config.maxPerUser) {
      throw new AuthError('invalid_request', { description: `At most ${config.maxPerUser} passkeys per account: delete one first` });
    }
    const challenge = await this.newChallenge({ purpose: 'register', userId: user.id, allow: [] });
    return generateRegistrationOptions({
      rpName: config.rpName,
      rpID: config.rpId,
      userName: user.username ?? user.id,
      userID: this.userHandle(user.id),
      challenge,
      timeout: config.timeoutMs,
      attestationType: 'none',
      excludeCredentials: existing.map((passkey) => ({ id: passkey.id, transports: passkey.transports as AuthenticatorTransportFuture[] })),
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: config.userVerification },
    });
  }

  /**
   * Verifies a `create()` result for the signed-in user and stores the passkey. Rejects with
   * `AuthError` `invalid_request` (400) saying what is wrong.
   */
  async register(userId: string, body: unknown, name?: string): Promise<PasskeyView> {
    const config = this.settings();
    const response = registrationResponse(body);
    const clientData = decodeClientData(response.response.clientDataJSON);
    const refuse = (description: string): AuthError => new AuthError('invalid_request', { description });
    const pending = await this.consumeChallenge(clientData.challenge, 'register', refuse);
    if (pending.userId !== userId) throw refuse('This passkey challenge was issued to another account');
    if (clientData.type !== 'webauthn.create') throw refuse('Not a passkey registration response');
    this.checkOrigin(clientData.origin, refuse);
    let authData: ReturnType<typeof parseAuthenticatorData>;
    try {
      authData = parseAuthenticatorData(decodeAttestationObject(isoBase64URL.toBuffer(response.response.attestationObject)).get('authData'));
    } catch {
      throw refuse('Malformed passkey attestation');
    }
    this.checkAuthenticatorData(authData, refuse);
    let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: clientData.challenge,
        expectedOrigin: [...config.origins],
        expectedRPID: config.rpId,
        requireUserVerification: config.userVerification === 'required',
      });
    } catch {
      throw refuse('The passkey registration could not be verified');
    }
    if (!verified.verified) throw refuse('The passkey registration could not be verified');
    const info = verified.registrationInfo;
    const directory = this.passkeys();
    if (await directory.findById(info.credential.id)) throw refuse('This passkey is registered already');
    if ((await directory.listByUser(userId)).length >= config.maxPerUser) {
      throw refuse(`At most ${config.maxPerUser} passkeys per account: delete one first`);
    }
    const now = this.clock.now();
    const passkey: StoredPasskey = {
      id: info.credential.id,
      userId,
      publicKey: info.credential.publicKey,
      counter: info.credential.counter,
      transports: [...(info.credential.transports ?? [])],
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      name: name ?? `Passkey ${new Date(now).toISOString().slice(0, 10)}`,
      createdAt: now,
    };
    await directory.add(passkey);
    return view(passkey);
  }

  /**
   * Options for `navigator.credentials.get()`. Without a username any discoverable passkey of this
   * site may answer; with one, the options list that account's passkeys (an unknown username gets
   * an empty list, exactly like an account without passkeys, so nothing tells which accounts exist).
   */
  async authenticationOptions(username?: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const config = this.settings();
    let allow: StoredPasskey[] = [];
    let userId: string | undefined;
    if (username !== undefined) {
      const account = await this.passwords.users().findByUsername(username);
      if (account && !account.disabled) {
        userId = account.id;
        allow = await this.passkeys().listByUser(account.id);
      }
    }
    const challenge = await this.newChallenge({ purpose: 'sign-in', userId, allow: allow.map((p) => p.id) });
    return this.requestOptions(config, challenge, allow);
  }

  /** Options for a signed-in user's step-up: their own passkeys only. */
  async stepUpOptions(userId: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const config = this.settings();
    const allow = await this.passkeys().listByUser(userId);
    if (allow.length === 0) throw new AuthError('invalid_request', { description: 'This account has no passkey' });
    const challenge = await this.newChallenge({ purpose: 'step-up', userId, allow: allow.map((p) => p.id) });
    return this.requestOptions(config, challenge, allow);
  }

  /**
   * Verifies a `get()` result for sign-in. Rejects with `AuthError` `invalid_credentials` (401)
   * saying what is wrong, `locked` (429) while the account is locked, `invalid_request` (400) for
   * a body that is no passkey response.
   */
  signIn(body: unknown, clientAddress: string | undefined): Promise<PasskeyAssertion> {
    return this.assert(body, 'sign-in', undefined, clientAddress);
  }

  /** Verifies a `get()` result by the signed-in user `userId` (step-up); the passkey must be theirs. */
  stepUp(userId: string, body: unknown, clientAddress: string | undefined): Promise<PasskeyAssertion> {
    return this.assert(body, 'step-up', userId, clientAddress);
  }

  /** The user's passkeys, without key material. */
  async list(userId: string): Promise<PasskeyView[]> {
    this.settings();
    return (await this.passkeys().listByUser(userId)).map(view);
  }

  /** Renames one of the user's passkeys; `false` when the user has none with this id. */
  rename(userId: string, credentialId: string, name: string): Promise<boolean> {
    this.settings();
    return this.passkeys().rename(userId, credentialId, name);
  }

  /** Deletes one of the user's passkeys; `false` when the user has none with this id. */
  delete(userId: string, credentialId: string): Promise<boolean> {
    this.settings();
    return this.passkeys().delete(userId, credentialId);
  }

  private async assert(body: unknown, purpose: Purpose, signedIn: string | undefined, clientAddress: string | undefined): Promise<PasskeyAssertion> {
    const config = this.settings();
    const response = authenticationResponse(body);
    const clientData = decodeClientData(response.response.clientDataJSON);
    const refuse = (description: string): AuthError => new AuthError('invalid_credentials', { description, strategy: CHANNEL });
    // Consumed first, whatever follows: an assertion is checked at most once.
    const pending = await this.io(() => this.consumeChallenge(clientData.challenge, purpose, refuse)).catch((error: unknown) => error as AuthError);
    const passkey = await this.io(() => this.passkeys().findById(response.id));
    const account = passkey ? await this.io(() => this.passwords.users().findById(passkey.userId)) : null;
    // A passkey nobody registered has no account to lock: it is counted per client address.
    const subject = account?.username ?? `${UNKNOWN_PASSKEY_SUBJECT}:${clientAddress ?? ''}`;
    await this.throttle.assertAllowed(subject, clientAddress).catch((error: unknown) => {
      this.events.emit({ type: 'login.failed', reason: 'locked', userId: account?.id, clientAddress, channel: CHANNEL });
      throw error;
    });
    try {
      if (pending instanceof Error) throw pending;
      if (!passkey || !account || account.disabled) throw refuse('Unknown passkey');
      if (signedIn !== undefined && pending.userId !== signedIn) throw refuse('This passkey challenge was issued to another account');
      const owner = signedIn ?? pending.userId;
      if (owner !== undefined && passkey.userId !== owner) throw refuse('This passkey belongs to another account');
      if (pending.allow.length > 0 && !pending.allow.includes(passkey.id)) throw refuse('This passkey belongs to another account');
      const userHandle = response.response.userHandle;
      if (userHandle !== undefined && userHandle !== null && !sameBytes(userHandle, this.userHandle(passkey.userId))) {
        throw refuse('This passkey belongs to another account');
      }
      if (clientData.type !== 'webauthn.get') throw refuse('Not a passkey assertion');
      this.checkOrigin(clientData.origin, refuse);
      let authData: ReturnType<typeof parseAuthenticatorData>;
      try {
        authData = parseAuthenticatorData(isoBase64URL.toBuffer(response.response.authenticatorData));
      } catch {
        throw refuse('Malformed passkey assertion');
      }
      this.checkAuthenticatorData(authData, refuse);
      if (!signatureCounterAccepted(authData.counter, passkey.counter)) {
        throw refuse('The passkey signature counter went backwards: the authenticator may be cloned');
      }
      let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
      try {
        verified = await verifyAuthenticationResponse({
          response,
          expectedChallenge: clientData.challenge,
          expectedOrigin: [...config.origins],
          expectedRPID: config.rpId,
          credential: { id: passkey.id, publicKey: new Uint8Array(passkey.publicKey), counter: passkey.counter },
          requireUserVerification: config.userVerification === 'required',
        });
      } catch {
        throw refuse('The passkey signature is invalid');
      }
      if (!verified.verified) throw refuse('The passkey signature is invalid');
      const info = verified.authenticationInfo;
      const use = { counter: info.newCounter, backedUp: info.credentialBackedUp, usedAt: this.clock.now() };
      if (!(await this.io(() => this.passkeys().recordUse(passkey.id, passkey.counter, use)))) {
        throw refuse('The passkey was used concurrently: try again');
      }
      await this.throttle.recordSuccess(account.username);
      this.events.emit({ type: 'login.succeeded', userId: account.id, username: account.username, clientAddress, channel: CHANNEL });
      return { account, passkeyId: passkey.id, amr: info.userVerified ? ['hwk', 'user', 'mfa'] : ['hwk', 'user'] };
    } catch (error) {
      if (AuthError.isAuthError(error) && error.code === 'invalid_credentials') {
        const outcome = await this.throttle.recordFailureOutcome(subject, clientAddress);
        this.events.emit({ type: 'login.failed', reason: 'invalid_credentials', userId: account?.id, clientAddress, channel: CHANNEL });
        if (outcome.accountLockedForMs > 0) {
          this.events.emit({ type: 'login.locked', scope: 'account', userId: account?.id, lockedForMs: outcome.accountLockedForMs, clientAddress, channel: CHANNEL });
        }
        if (outcome.addressLockedForMs > 0) {
          this.events.emit({ type: 'login.locked', scope: 'address', lockedForMs: outcome.addressLockedForMs, clientAddress, channel: CHANNEL });
        }
      }
      throw error;
    }
  }

  private requestOptions(config: PasskeyConfig, challenge: Uint8Array<ArrayBuffer>, allow: readonly StoredPasskey[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return generateAuthenticationOptions({
      rpID: config.rpId,
      challenge,
      timeout: config.timeoutMs,
      userVerification: config.userVerification,
      allowCredentials: allow.map((passkey) => ({ id: passkey.id, transports: passkey.transports as AuthenticatorTransportFuture[] })),
    });
  }

  /** The relying party's checks on authenticator data, each with its own message. */
  private checkAuthenticatorData(authData: ReturnType<typeof parseAuthenticatorData>, refuse: (description: string) => AuthError): void {
    const config = this.settings();
    if (!sameBuffer(authData.rpIdHash, sha256(config.rpId))) throw refuse('The passkey is for another relying party (rpId)');
    if (!authData.flags.up) throw refuse('The authenticator did not test user presence');
    if (config.userVerification === 'required' && !authData.flags.uv) {
      throw refuse('User verification (PIN or biometrics) is required');
    }
  }

  private checkOrigin(origin: string, refuse: (description: string) => AuthError): void {
    if (!this.settings().origins.includes(origin)) throw refuse('The passkey was used on an origin this site does not accept');
  }

  /** A fresh 256-bit challenge (base64url), pending in the store until used once or expired. */
  private async newChallenge(ceremony: Omit<PendingCeremony, 'expiresAt'>): Promise<Uint8Array<ArrayBuffer>> {
    const ttl = this.settings().challengeTtlMs;
    const challenge = new Uint8Array(randomBytes(32));
    const record: PendingCeremony = { ...ceremony, expiresAt: this.clock.now() + ttl };
    // Browsers echo it base64url-encoded in clientDataJSON: that is the form it is looked up by.
    const encoded = Buffer.from(challenge).toString('base64url');
    await this.io(() => this.store.set(this.challengeKey(encoded), JSON.stringify(record), ttl));
    return challenge;
  }

  /**
   * Takes the challenge out of the store. Only the caller whose delete removed it may go on, so two
   * instances given the same response cannot both accept it.
   */
  private async consumeChallenge(challenge: string, purpose: Purpose, refuse: (description: string) => AuthError): Promise<PendingCeremony> {
    const gone = refuse('The passkey challenge expired or was used already: start again');
    if (typeof challenge !== 'string' || challenge.length === 0 || challenge.length > 256) throw gone;
    const key = this.challengeKey(challenge);
    const raw = await this.store.get(key);
    if (raw === null || !(await this.store.delete(key))) throw gone;
    let pending: PendingCeremony;
    try {
      pending = JSON.parse(raw) as PendingCeremony;
    } catch {
      throw gone; // not written by this service
    }
    if (!(pending.expiresAt > this.clock.now()) || !Array.isArray(pending.allow)) throw gone;
    if (pending.purpose !== purpose) throw refuse('This passkey challenge was issued for another ceremony');
    return pending;
  }

  private challengeKey(challenge: string): string {
    return `passkey:challenge:${sha256(challenge).toString('base64url')}`;
  }

  /**
   * The WebAuthn user handle of a user: derived (SHA-256 of the relying party and the user id),
   * so it is stable without being stored, and no user id or name goes to the authenticator.
   */
  private userHandle(userId: string): Uint8Array<ArrayBuffer> {
    return new Uint8Array(sha256(`nest-warden:passkey-user:${this.settings().rpId}:${userId}`));
  }

  private settings(): PasskeyConfig {
    return this.passkeySettings.require();
  }

  /** The app's directory, looked up once. */
  private passkeys(): PasskeyDirectory {
    if (this.directory) return this.directory;
    const found = findAppProvider(this.moduleRef, PasskeyDirectory);
    if (!found) {
      throw AuthConfigurationError.create(
        'passkeys need a PasskeyDirectory.',
        'Provide one in your module: { provide: PasskeyDirectory, useClass: YourPasskeyRepository }.',
      );
    }
    return (this.directory = found);
  }

  /** Store failures fail closed: 503. */
  private async io<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (AuthError.isAuthError(error)) throw error;
      throw failClosed(error, { description: 'Passkeys are temporarily unavailable' });
    }
  }
}

function view(passkey: StoredPasskey): PasskeyView {
  return {
    id: passkey.id,
    name: passkey.name,
    deviceType: passkey.deviceType,
    backedUp: passkey.backedUp,
    transports: passkey.transports,
    createdAt: passkey.createdAt,
    lastUsedAt: passkey.lastUsedAt,
  };
}

function sameBuffer(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function sameBytes(base64url: string, expected: Uint8Array): boolean {
  try {
    return sameBuffer(isoBase64URL.toBuffer(base64url), expected);
  } catch {
    return false;
  }
}

const malformed = (what: string): AuthError => new AuthError('invalid_request', { description: `Malformed passkey response: ${what}` });

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function field(object: Record<string, unknown>, name: string, max: number, optional = false): void {
  const value = object[name];
  if (optional && (value === undefined || value === null)) return;
  if (typeof value !== 'string' || value.length === 0 || value.length > max || !/^[A-Za-z0-9_-]+={0,2}$/.test(value)) {
    throw malformed(`"${name}" must be a base64url string`);
  }
}

function credential(body: unknown): Record<string, unknown> & { response: Record<string, unknown> } {
  if (!isObject(body)) throw malformed('send the credential as JSON');
  field(body, 'id', MAX_ID);
  field(body, 'rawId', MAX_ID);
  if (body.id !== body.rawId) throw malformed('"id" and "rawId" differ');
  if (body.type !== 'public-key') throw malformed('"type" must be "public-key"');
  if (!isObject(body.response)) throw malformed('"response" must be an object');
  field(body.response, 'clientDataJSON', MAX_FIELD);
  return body as Record<string, unknown> & { response: Record<string, unknown> };
}

function registrationResponse(body: unknown): RegistrationResponseJSON {
  const value = credential(body);
  field(value.response, 'attestationObject', MAX_FIELD);
  const transports = value.response.transports;
  if (transports !== undefined && !(Array.isArray(transports) && transports.length <= 16 && transports.every((t) => typeof t === 'string' && t.length <= 32))) {
    throw malformed('"transports" must be a list of names');
  }
  return { ...value, clientExtensionResults: isObject(value.clientExtensionResults) ? value.clientExtensionResults : {} } as unknown as RegistrationResponseJSON;
}

function authenticationResponse(body: unknown): AuthenticationResponseJSON {
  const value = credential(body);
  field(value.response, 'authenticatorData', MAX_FIELD);
  field(value.response, 'signature', MAX_FIELD);
  field(value.response, 'userHandle', MAX_ID, true);
  return { ...value, clientExtensionResults: isObject(value.clientExtensionResults) ? value.clientExtensionResults : {} } as unknown as AuthenticationResponseJSON;
}

function decodeClientData(encoded: unknown): { type: string; challenge: string; origin: string } {
  let decoded: unknown;
  try {
    decoded = decodeClientDataJSON(encoded as string);
  } catch {
    throw malformed('"clientDataJSON" is not JSON');
  }
  if (!isObject(decoded) || typeof decoded.type !== 'string' || typeof decoded.challenge !== 'string' || typeof decoded.origin !== 'string') {
    throw malformed('"clientDataJSON" lacks type, challenge or origin');
  }
  return { type: decoded.type, challenge: decoded.challenge, origin: decoded.origin };
}
