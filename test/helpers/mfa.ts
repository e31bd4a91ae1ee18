import { Injectable } from '@nestjs/common';
import { generate } from 'otplib';
import { MfaDirectory, type TotpEnrollment } from '../../lib/index.js';

/** The TOTP code an authenticator app shows at `atMs` for `secret`. */
export function totpCode(secret: string, atMs: number): Promise<string> {
  return generate({ secret, epoch: Math.floor(atMs / 1000) });
}

/** An in-memory `MfaDirectory`: `{ provide: MfaDirectory, useExisting: InMemoryMfaDirectory }`. */
@Injectable()
export class InMemoryMfaDirectory extends MfaDirectory {
  readonly enrollments = new Map<string, TotpEnrollment>();

  async findTotp(userId: string): Promise<TotpEnrollment | null> {
    return this.enrollments.get(userId) ?? null;
  }

  async saveTotp(userId: string, enrollment: TotpEnrollment): Promise<void> {
    this.enrollments.set(userId, { secret: enrollment.secret, recoveryCodeHashes: [...enrollment.recoveryCodeHashes] });
  }

  async deleteTotp(userId: string): Promise<void> {
    this.enrollments.delete(userId);
  }

  async consumeRecoveryCode(userId: string, codeHash: string): Promise<boolean> {
    const enrollment = this.enrollments.get(userId);
    if (!enrollment?.recoveryCodeHashes.includes(codeHash)) return false;
    const recoveryCodeHashes = enrollment.recoveryCodeHashes.filter((hash) => hash !== codeHash);
    this.enrollments.set(userId, { ...enrollment, recoveryCodeHashes });
    return true;
  }
}
