import type { Type } from '@nestjs/common';
import { resolveEndpoints } from '../http/define-route.js';
import type { MfaEndpoints } from './mfa.options.js';
import { createMfaController } from './mfa.controller.js';

export const DEFAULT_MFA_ENDPOINTS: MfaEndpoints = Object.freeze({
  totp: '/auth/mfa/totp',
  confirm: '/auth/mfa/totp/confirm',
  recoveryCodes: '/auth/mfa/recovery-codes',
});

/** The controllers to mount for the `mfaEndpoints` extra (none when it is absent). */
export function mfaControllers(given: boolean | Partial<MfaEndpoints> | undefined): Type[] {
  const endpoints = resolveEndpoints(given, DEFAULT_MFA_ENDPOINTS);
  return endpoints ? [createMfaController(endpoints)] : [];
}
