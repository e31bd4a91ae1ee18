import { type LoggerService, Logger } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import type { Clock } from '../clock/clock.js';
import type { AuthEvent } from './auth-event.js';
import { AuthEventListener } from './auth-event-listener.js';
import { AuthEvents } from './auth-events.js';
import { LoggingAuthEventListener } from './logging-auth-event.listener.js';

class CapturingLogger implements LoggerService {
  readonly lines: { level: string; message: string }[] = [];
  log(message: string) {
    this.lines.push({ level: 'log', message });
  }
  warn(message: string) {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string) {
    this.lines.push({ level: 'error', message });
  }
  debug(message: string) {
    this.lines.push({ level: 'debug', message });
  }
}

const clock: Clock = { now: () => 1_700_000_000_000 };
const moduleRefWith = (listener?: AuthEventListener) =>
  ({
    get: () => {
      if (!listener) throw new Error('not found');
      return listener;
    },
  }) as unknown as ModuleRef;

describe('AuthEvents', () => {
  let logger: CapturingLogger;
  beforeEach(() => {
    logger = new CapturingLogger();
    Logger.overrideLogger(logger);
  });
  afterAll(() => Logger.overrideLogger(false));

  it('stamps events with the clock and hands them to the app listener', () => {
    const received: AuthEvent[] = [];
    const events = new AuthEvents(moduleRefWith({ handle: (event: AuthEvent) => void received.push(event) }), clock);
    events.onModuleInit();
    events.emit({ type: 'login.failed', reason: 'invalid_credentials', clientAddress: '203.0.113.9' });
    expect(received).toEqual([{ type: 'login.failed', reason: 'invalid_credentials', clientAddress: '203.0.113.9', at: 1_700_000_000_000 }]);
  });

  it('never lets a failing listener break the caller, sync or async', async () => {
    const events = new AuthEvents(
      moduleRefWith({
        handle: (event: AuthEvent) => {
          if (event.type === 'login.failed') throw new Error('audit sink down');
          return Promise.reject(new Error('audit sink down'));
        },
      }),
      clock,
    );
    events.onModuleInit();
    expect(() => events.emit({ type: 'login.failed', reason: 'locked' })).not.toThrow();
    expect(() => events.emit({ type: 'client.authentication_failed', clientId: 'x' })).not.toThrow();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(logger.lines.filter((line) => line.level === 'error').map((line) => line.message)).toEqual([
      'AuthEventListener failed on "login.failed"',
      'AuthEventListener failed on "client.authentication_failed"',
    ]);
  });

  it('logs with the default listener when the app provides none: ids only, sanitized, at fitting levels', () => {
    const events = new AuthEvents(moduleRefWith(), clock);
    events.onModuleInit();
    events.emit({ type: 'login.succeeded', userId: 'u-1', username: 'alice', channel: 'token', clientAddress: '203.0.113.9' });
    events.emit({ type: 'login.failed', reason: 'invalid_credentials', channel: 'basic' });
    events.emit({ type: 'login.failed', reason: 'locked' });
    events.emit({ type: 'login.locked', scope: 'account', userId: 'u-1', lockedForMs: 60_000 });
    events.emit({ type: 'refresh_token.reused', userId: 'u-1', clientId: 'web', grantId: 'fam' });
    events.emit({ type: 'client.authentication_failed', clientId: 'evil\r\nFAKE LOG LINE' + 'x'.repeat(100) });
    expect(logger.lines).toEqual([
      { level: 'log', message: 'login succeeded user=u-1 channel=token from=203.0.113.9' },
      { level: 'warn', message: 'login failed (invalid_credentials) user=unknown channel=basic from=-' },
      { level: 'debug', message: 'login failed (locked) user=unknown channel=- from=-' },
      { level: 'warn', message: 'login locked scope=account for=60s user=u-1 from=-' },
      { level: 'error', message: 'refresh token reused: family fam revoked user=u-1 client=web from=-' },
      { level: 'warn', message: `client authentication failed client=evil??FAKE LOG LINE${'x'.repeat(45)}… from=-` },
    ]);
  });

  it('is the class apps extend to keep the default lines and add their own', () => {
    class Audit extends LoggingAuthEventListener {
      readonly seen: string[] = [];
      override handle(event: AuthEvent): void {
        this.seen.push(event.type);
        super.handle(event);
      }
    }
    const audit = new Audit();
    const events = new AuthEvents(moduleRefWith(audit), clock);
    events.onModuleInit();
    events.emit({ type: 'token.revoked', tokenType: 'access_token', reason: 'request', userId: 'u', clientId: 'c', tokenId: 'j' });
    expect(audit.seen).toEqual(['token.revoked']);
    expect(logger.lines).toEqual([{ level: 'log', message: 'token revoked (request) type=access_token user=u client=c id=j from=-' }]);
  });
});
