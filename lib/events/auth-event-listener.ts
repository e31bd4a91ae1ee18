import type { AuthEvent } from './auth-event.js';

/**
 * Receives nest-warden's security events (logins, lockouts, issued and revoked tokens, refresh-token
 * reuse). The default writes them to Nest's `Logger`; provide your own in any module to send them
 * to an audit log or SIEM:
 *
 * ```ts
 * { provide: AuthEventListener, useClass: AuditTrail }
 * ```
 *
 * `handle` is called synchronously on the request path; a returned promise is not awaited (a slow
 * audit sink never slows logins), and errors are logged, never thrown at the caller.
 */
export abstract class AuthEventListener {
  abstract handle(event: AuthEvent): void | Promise<void>;
}
