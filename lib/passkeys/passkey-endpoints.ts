import type { Type } from '@nestjs/common';
import { resolveEndpoints } from '../http/define-route.js';
import type { PasskeyEndpoints } from './passkey.options.js';
import { createPasskeyController } from './passkey.controller.js';

export const DEFAULT_PASSKEY_ENDPOINTS: PasskeyEndpoints = Object.freeze({
  registrationOptions: '/auth/passkeys/registration/options',
  registration: '/auth/passkeys/registration',
  authenticationOptions: '/auth/passkeys/authentication/options',
  authentication: '/auth/passkeys/authentication',
  stepUpOptions: '/auth/passkeys/step-up/options',
  stepUp: '/auth/passkeys/step-up',
  manage: '/auth/passkeys',
});

/** The controllers to mount for the `passkeyEndpoints` extra (none when it is absent). */
export function passkeyControllers(given: boolean | Partial<PasskeyEndpoints> | undefined): Type[] {
  const endpoints = resolveEndpoints(given, DEFAULT_PASSKEY_ENDPOINTS);
  return endpoints ? [createPasskeyController(endpoints)] : [];
}
