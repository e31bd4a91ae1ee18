import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { createHash } from 'node:crypto';
import { Clock } from '../clock/clock.js';
import { AuthError } from '../errors/auth.error.js';
import { AuthConfigurationError } from '../errors/configuration.error.js';
import { SecondFactor, type SecondFactorProof } from '../login/second-factor.js';
import { AuthStore } from '../stores/auth-store.js';
import { MfaDirectory } from './mfa-directory.js';
import { type MfaConfig, MfaSettings } from './mfa-settings.js';
import { generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode } from './recovery-codes.js';
import { SecondFactorThrottle } from './second-factor-throttle.js';
import { matchTotp, newTotpSecret, TOTP_PERIOD_SECONDS, totpUri } from './totp-codes.js';
import { findAppProvider } from '../di/find-app-provider.js';

/** What the user scans to enroll: show `uri` as a QR code, and `secret` for manual entry. */
export interface TotpEnrollmentStart {
  readonly secret: string;
  readonly uri: string;
  /** When the pending enrollment is dropped unless confirmed (ms since epoch). */
  readonly expiresAt: number;
}

const MINUTE = 60_000;
/** How long one use of a recovery code may hold the user's recovery-code lock (it is released at once after). */
const RECOVERY_LOCK_TTL_MS = MINUTE;
/** RFC 8176: a one-time password (TOTP or a recovery code) was checked. */
const OTP: readonly string[] = Object.freeze(['otp']);

/**
 * TOTP (RFC 6238) second factor: enrollment, verification with replay protection, and recovery
 * codes. Enrollments live in the app's `MfaDirectory`; pending enrollments, used-code markers and
 * attempt counters live in the `AuthStore`. Every verification is counted before the code is
 * checked (`SecondFactorThrottle`), so parallel requests cannot check more than `maxAttempts` codes.
 *
 * The method to call from any login path's second step: `verify(userId, code)`, or
 * `verifySecondFactor(userId, { code } | { recoveryCode })`. Each adds `otp` to what `amr` may claim.
 */
@Injectable()
export class TotpService extends SecondFactor implements OnApplicationBootstrap {
  private readonly config: MfaConfig | undefined;
  private directory: MfaDirectory | undefined;

  /** Created by Nest (inject it); not part of the public API. @internal */
  constructor(
    private readonly mfaSettings: MfaSettings,
    private readonly store: AuthStore,
    private readonly clock: Clock,
    private readonly throttle: SecondFactorThrottle,
    private readonly moduleRef: ModuleRef,
  ) {
    super();
    this.config = mfaSettings.config;
  }

  get enabled(): boolean {
    return this.config !== undefined;
  }

  /** `mfa.passwordLogins`: `'require'` (default) unless the app opted into `'step-up'`. */
  override get requiredWithPassword(): boolean {
    return this.config?.passwordLogins !== 'step-up';
  }

  onApplicationBootstrap(): void {
    if (this.config) this.mfaDirectory();
  }

  async isEnrolled(userId: string): Promise<boolean> {
    this.settings();
    return (await this.mfaDirectory().findTotp(userId)) !== null;
  }

  /**
   * Starts an enrollment: a new secret, kept pending in the store until `confirmEnrollment`.
   * Throws `TotpAlreadyEnabledError` when TOTP is already on: turn it off first.
   */
  async beginEnrollment(userId: string, label: string): Promise<TotpEnrollmentStart> {
    const settings = this.settings();
    if (await this.isEnrolled(userId)) throw new TotpAlreadyEnabledError();
    const secret = newTotpSecret();
    await this.store.set(this.key('pending', userId), secret, settings.enrollmentTtlMs);
    return { secret, uri: totpUri(settings.issuer, label, secret), expiresAt: this.clock.now() + settings.enrollmentTtlMs };
  }

  /**
   * Confirms an enrollment with a code from the app, turns TOTP on and returns the recovery codes:
   * show them once; only their hashes are kept.
   */
  async confirmEnrollment(userId: string, code: string): Promise<{ recoveryCodes: string[] }> {
    const settings = this.settings();
    await this.throttle.reserve(userId, settings.maxAttempts, settings.lockoutMs);
    const secret = await this.store.get(this.key('pending', userId));
    if (secret === null) {
      throw new AuthError('invalid_request', { description: 'No enrollment is pending; start again' });
    }
    await this.checkTotp(userId, secret, code, settings);
    if (await this.isEnrolled(userId)) throw new TotpAlreadyEnabledError();
    const recoveryCodes = generateRecoveryCodes(settings.recoveryCodes);
    await this.mfaDirectory().saveTotp(userId, { secret, recoveryCodeHashes: this.hashAll(userId, recoveryCodes) });
    await this.store.delete(this.key('pending', userId));
    return { recoveryCodes };
  }

  /**
   * Verifies a TOTP code for an enrolled user: valid within ±`window` steps, and only once (a
   * code seen before is refused, RFC 6238 §5.2). Throws `invalid_credentials` for a wrong or reused
   * code, `locked` after too many, `forbidden` when the user has no TOTP.
   */
  async verify(userId: string, code: string): Promise<void> {
    const settings = this.settings();
    const enrollment = await this.mfaDirectory().findTotp(userId);
    if (!enrollment) throw new TotpNotEnabledError();
    await this.throttle.reserve(userId, settings.maxAttempts, settings.lockoutMs);
    await this.checkTotp(userId, enrollment.secret, code, settings);
  }

  /**
   * Verifies and uses up one recovery code. Same errors as `verify`. One use per user at a time
   * (a lock of one key per user, taken before the directory is asked): two parallel requests with
   * one code cannot both pass, even with a directory whose `consumeRecoveryCode` is not atomic, and
   * a code is only deleted once that lock is held.
   */
  async useRecoveryCode(userId: string, code: string): Promise<void> {
    const settings = this.settings();
    await this.throttle.reserve(userId, settings.maxAttempts, settings.lockoutMs);
    const canonical = normalizeRecoveryCode(code);
    if (canonical === null) return this.fail();
    const lock = `mfa:recovery-used:${createHash('sha256').update(userId).digest('base64url')}`;
    if (!(await this.store.setIfAbsent(lock, '1', RECOVERY_LOCK_TTL_MS))) return this.fail();
    try {
      if (!(await this.mfaDirectory().consumeRecoveryCode(userId, hashRecoveryCode(userId, canonical)))) return this.fail();
    } finally {
      await this.store.delete(lock);
    }
    await this.throttle.recordSuccess(userId);
  }

  /** Either kind of second factor, as a login's second step receives it. */
  async verifySecondFactor(userId: string, proof: SecondFactorProof): Promise<readonly string[]> {
    if (typeof proof.code === 'string') await this.verify(userId, proof.code);
    else if (typeof proof.recoveryCode === 'string') await this.useRecoveryCode(userId, proof.recoveryCode);
    else throw new AuthError('invalid_request', { description: 'Send "code" or "recoveryCode"' });
    return OTP;
  }

  /** Replaces the recovery codes (the old ones stop working) and returns the new ones. */
  async regenerateRecoveryCodes(userId: string): Promise<{ recoveryCodes: string[] }> {
    const settings = this.settings();
    const enrollment = await this.mfaDirectory().findTotp(userId);
    if (!enrollment) throw new TotpNotEnabledError();
    const recoveryCodes = generateRecoveryCodes(settings.recoveryCodes);
    await this.mfaDirectory().saveTotp(userId, { secret: enrollment.secret, recoveryCodeHashes: this.hashAll(userId, recoveryCodes) });
    return { recoveryCodes };
  }

  /** Turns TOTP off for the user. */
  async disable(userId: string): Promise<void> {
    this.settings();
    await this.mfaDirectory().deleteTotp(userId);
  }

  private async checkTotp(userId: string, secret: string, code: string, settings: MfaConfig): Promise<void> {
    const epochSeconds = Math.floor(this.clock.now() / 1000);
    const step = await matchTotp(secret, code, epochSeconds, settings.window);
    if (step === null) return this.fail();
    // A step's code stays acceptable for (2 × window + 1) steps; remember it a little longer.
    const markerTtl = (2 * settings.window + 2) * TOTP_PERIOD_SECONDS * 1000;
    if (!(await this.store.setIfAbsent(`${this.key('used', userId)}:${step}`, '1', markerTtl))) return this.fail();
    await this.throttle.recordSuccess(userId);
  }

  /** A wrong or reused code; the attempt was already counted by `SecondFactorThrottle.reserve`. */
  private fail(): never {
    throw new AuthError('invalid_credentials', { description: 'Invalid or already used code' });
  }

  private hashAll(userId: string, codes: readonly string[]): string[] {
    return codes.map((code) => hashRecoveryCode(userId, normalizeRecoveryCode(code)!));
  }

  private key(kind: string, userId: string): string {
    return `mfa:totp-${kind}:${createHash('sha256').update(userId).digest('base64url')}`;
  }

  private settings(): MfaConfig {
    return this.mfaSettings.require();
  }

  private mfaDirectory(): MfaDirectory {
    if (this.directory) return this.directory;
    const found = findAppProvider(this.moduleRef, MfaDirectory);
    if (!found) {
      throw AuthConfigurationError.create(
        'the mfa option needs an MfaDirectory, where TOTP enrollments are stored.',
        'Provide one in your module: { provide: MfaDirectory, useClass: YourMfaRepository }.',
      );
    }
    return (this.directory = found);
  }
}

/** TOTP is already on for the user (enrollment refused). */
export class TotpAlreadyEnabledError extends Error {
  override readonly name = 'TotpAlreadyEnabledError';
  readonly code = 'totp_already_enabled';
  constructor() {
    super('Two-factor authentication is already enabled; disable it first');
  }
}

/** The user has no TOTP enrollment. */
export class TotpNotEnabledError extends AuthError {
  constructor() {
    super('forbidden', { description: 'Two-factor authentication is not enabled for this account' });
  }
}
