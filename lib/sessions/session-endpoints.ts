import type { Type } from '@nestjs/common';
import { resolveEndpoints } from '../http/define-route.js';
import { createSessionController } from './session.controller.js';

/** Paths of the session endpoints (`forRoot({ sessionEndpoints })`); `false` leaves one out. */
export interface SessionEndpoints {
  /** `POST`: JSON `{ username, password }` → cookie + `{ csrfToken }`. Default `/auth/session`. */
  readonly login: string | false;
  /** `GET`: the current session, including its `csrfToken`. Default `/auth/session`. */
  readonly current: string | false;
  /** `POST`: ends this session and clears the cookie. Default `/auth/session/logout`. */
  readonly logout: string | false;
  /** `POST`: ends every session (and, through `UserRevocation`, every refresh token) of the user. Default `/auth/session/logout-all`. */
  readonly logoutEverywhere: string | false;
  /** `POST`: second factor `{ code }` or `{ recoveryCode }` → new cookie with `amr` `otp`. Default `/auth/session/mfa`. */
  readonly mfa: string | false;
}

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
