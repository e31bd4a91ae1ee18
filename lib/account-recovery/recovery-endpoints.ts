import type { Type } from '@nestjs/common';
import { resolveEndpoints } from '../http/define-route.js';
import type { RecoveryEndpoints } from './recovery.options.js';
import { createRecoveryController } from './recovery.controller.js';

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
