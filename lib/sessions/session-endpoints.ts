import type { Type } from '@nestjs/common';
import { resolveEndpoints } from '../http/define-route.js';
import type { SessionEndpoints } from './session.options.js';
import { createSessionController } from './session.controller.js';

export const DEFAULT_SESSION_ENDPOINTS: SessionEndpoints = Object.freeze({
  login: '/auth/session',
  current: '/auth/session',
  logout: '/auth/session/logout',
  logoutEverywhere: '/auth/session/logout-all',
  mfa: '/auth/session/mfa',
});

/** The controllers to mount for the `sessionEndpoints` extra (none when it is absent). */
export function sessionControllers(given: boolean | Partial<SessionEndpoints> | undefined): Type[] {
  const endpoints = resolveEndpoints(given, DEFAULT_SESSION_ENDPOINTS);
  return endpoints ? [createSessionController(endpoints)] : [];
}
