import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type AuthRequest, readCookie } from '../request/auth-request.js';
import { SessionService } from './session.service.js';

/**
 * Writes and clears the session cookie through Nest's HTTP adapter, which appends `Set-Cookie`
 * (other cookies set on the same response are kept) on Express and Fastify alike.
 */
@Injectable()
export class SessionCookies {
  /** Created by Nest (inject it); not part of the public API. @internal */
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly sessions: SessionService,
  ) {}

  read(request: AuthRequest): string | undefined {
    return readCookie(request, this.sessions.settings.cookieName);
  }

  /** `name=<id>; Path=/; HttpOnly; Secure; SameSite=Lax` (plus `Max-Age` when persistent). */
  set(response: unknown, id: string): void {
    const settings = this.sessions.settings;
    const maxAge = settings.persistent ? Math.floor(settings.absoluteTimeoutMs / 1000) : undefined;
    this.adapterHost.httpAdapter.setCookie(response, settings.cookieName, id, { ...settings.cookie, maxAge });
  }

  /** `name=; Path=/; Max-Age=0; Expires=<epoch>` with the same attributes as when it was set. */
  clear(response: unknown): void {
    const settings = this.sessions.settings;
    this.adapterHost.httpAdapter.clearCookie(response, settings.cookieName, settings.cookie);
  }
}
