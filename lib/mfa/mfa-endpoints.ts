import type { Type } from '@nestjs/common';
import { resolveEndpoints } from '../http/define-route.js';
import { createMfaController } from './mfa.controller.js';

/** Paths of the TOTP management endpoints (`forRoot({ mfaEndpoints })`); `false` leaves one out. */
export interface MfaEndpoints {
  /** `POST` starts an enrollment (`{ secret, uri, expiresAt }`); `DELETE` turns TOTP off (needs a second factor). Default `/auth/mfa/totp`. */
  readonly totp: string | false;
  /** `POST { code }` confirms the enrollment → `{ recoveryCodes }`. Default `/auth/mfa/totp/confirm`. */
  readonly confirm: string | false;
  /** `POST` replaces the recovery codes (needs a second factor) → `{ recoveryCodes }`. Default `/auth/mfa/recovery-codes`. */
  readonly recoveryCodes: string | false;
}

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
