import { Injectable, Logger } from '@nestjs/common';
import type { AuthEvent } from './auth-event.js';
import { AuthEventListener } from './auth-event-listener.js';

/** Printable, bounded text for a log line (ids come from clients: no control characters, no floods). */
function clean(value: string | undefined): string {
  if (value === undefined) return '-';
  const printable = value.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 64 ? `${printable.slice(0, 64)}…` : printable;
}

/**
 * The default listener: one line per event on the `nest-warden:security` logger. Failures and
 * lockouts are warnings, refresh-token reuse an error. Never logs passwords, tokens or secrets;
 * for a failed login of an unknown user it does not log the typed username either (it may be a
 * password typed into the wrong field).
 */
@Injectable()
export class LoggingAuthEventListener extends AuthEventListener {
  protected readonly logger = new Logger('nest-warden:security');

  handle(event: AuthEvent): void {
    const from = `from=${clean(event.clientAddress)}`;
    switch (event.type) {
      case 'login.succeeded':
        this.logger.log(`login succeeded user=${clean(event.userId)} channel=${clean(event.channel)} ${from}`);
        return;
      case 'login.failed': {
        const line = `login failed (${event.reason}) user=${event.userId ? clean(event.userId) : 'unknown'} channel=${clean(event.channel)} ${from}`;
        // Refusals while locked are cheap to send in bulk: keep them below the default log level.
        if (event.reason === 'locked') this.logger.debug(line);
        else this.logger.warn(line);
        return;
      }
      case 'login.locked':
        this.logger.warn(
          `login locked scope=${event.scope} for=${Math.ceil(event.lockedForMs / 1000)}s user=${event.userId ? clean(event.userId) : 'unknown'} ${from}`,
        );
        return;
      case 'token.issued':
        this.logger.log(
          `token issued grant=${clean(event.grantType)} user=${clean(event.userId)} client=${clean(event.clientId)} jti=${clean(event.tokenId)} ${from}`,
        );
        return;
      case 'refresh_token.reused':
        this.logger.error(
          `refresh token reused: family ${clean(event.grantId)} revoked user=${clean(event.userId)} client=${clean(event.clientId)} ${from}`,
        );
        return;
      case 'token.revoked':
        this.logger.log(
          `token revoked (${event.reason}) type=${event.tokenType} user=${clean(event.userId)} client=${clean(event.clientId)} id=${clean(event.tokenId)} ${from}`,
        );
        return;
      case 'client.authentication_failed':
        this.logger.warn(`client authentication failed client=${clean(event.clientId)} ${from}`);
        return;
    }
  }
}
