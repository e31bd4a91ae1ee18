import type { Type } from '@nestjs/common';
import { resolveEndpoints } from '../http/define-route.js';
import { createRecoveryController } from './recovery.controller.js';

/** Paths of the password-reset and email-verification endpoints (`forRoot({ recoveryEndpoints })`). */
export interface RecoveryEndpoints {
  /** Public `POST { email }` → 202, the same answer for every address. Default `/auth/password-reset`. */
  readonly passwordReset: string | false;
  /** Public `POST { token, password }` → 204. Default `/auth/password-reset/confirm`. */
  readonly passwordResetConfirm: string | false;
  /** Authenticated `POST` → 202: sends a link to the caller's address. Default `/auth/email-verification`. */
  readonly emailVerification: string | false;
  /** Public `POST { token }` → 204. Default `/auth/email-verification/confirm`. */
  readonly emailVerificationConfirm: string | false;
}

export const DEFAULT_RECOVERY_ENDPOINTS: RecoveryEndpoints = Object.freeze({
  passwordReset: '/auth/password-reset',
  passwordResetConfirm: '/auth/password-reset/confirm',
  emailVerification: '/auth/email-verification',
  emailVerificationConfirm: '/auth/email-verification/confirm',
});

/** The controllers to mount for the `recoveryEndpoints` extra (none when it is absent). */
export function recoveryControllers(given: boolean | Partial<RecoveryEndpoints> | undefined): Type[] {
  const endpoints = resolveEndpoints(given, DEFAULT_RECOVERY_ENDPOINTS);
  return endpoints ? [createRecoveryController(endpoints)] : [];
}
