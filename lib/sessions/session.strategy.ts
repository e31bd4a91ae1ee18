import { Injectable } from '@nestjs/common';
import { type AuthRequest, readCookie } from '../request/auth-request.js';
import type { Principal } from '../principal/principal.js';
import { AuthStrategy, type SecuritySchemeDescription } from '../strategies/auth-strategy.js';
import { sessionChallenge } from './session-challenge.js';
import { SessionService } from './session.service.js';

/**
 * Cookie sessions (`forRoot({ session: {...} })`), named `session` in `@Auth('session')`. No cookie:
 * not mine. A cookie that names no live session: 401. An unsafe method (POST, PUT, PATCH, DELETE...)
 * from another origin or without the session's CSRF token in `X-CSRF-Token`: 403.
 */
@Injectable()
export class SessionStrategy extends AuthStrategy {
  static readonly strategyName = 'session';
  static override readonly byDefault = true;
  readonly name: string = SessionStrategy.strategyName;

  constructor(protected readonly sessions: SessionService) {
    super();
  }

  override get enabled(): boolean {
    return this.sessions.enabled;
  }

  authenticate(request: AuthRequest): Promise<Principal> | null {
    const id = readCookie(request, this.sessions.settings.cookieName);
    if (id === undefined) return null;
    return this.sessions.authenticate(id, request);
  }

  /** Listed after scheme-based strategies' challenges on routes that accept several. */
  override challenge(realm: string): string {
    return sessionChallenge(realm, this.sessions.settings.cookieName);
  }

  override securityScheme(): SecuritySchemeDescription {
    return {
      type: 'apiKey',
      in: 'cookie',
      name: this.sessions.settings.cookieName,
      description: `Session cookie set by the session login endpoint; unsafe methods also need the CSRF token in ${this.sessions.settings.csrfHeader}.`,
    };
  }
}
