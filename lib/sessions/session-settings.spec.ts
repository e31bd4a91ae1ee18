import { parseSessionRecord } from './session-record.js';
import { resolveSessionConfig } from './session-settings.js';

describe('resolveSessionConfig', () => {
  it('defaults to a Secure, HttpOnly, SameSite=Lax host-only cookie with 30 min idle and 8 h absolute timeouts', () => {
    const settings = resolveSessionConfig({});
    expect(settings.cookieName).toBe('nw_session');
    expect(settings.cookie).toEqual({ path: '/', domain: undefined, httpOnly: true, secure: true, sameSite: 'lax' });
    expect(settings.idleTimeoutMs).toBe(30 * 60_000);
    expect(settings.absoluteTimeoutMs).toBe(8 * 60 * 60_000);
    expect(settings.touchIntervalMs).toBe(60_000);
    expect(settings.csrfHeader).toBe('x-csrf-token');
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it('treats a __Host- name like hostPrefix: true', () => {
    expect(resolveSessionConfig({ cookieName: '__Host-app' }).cookieName).toBe('__Host-app');
    expect(resolveSessionConfig({ cookieName: 'app', hostPrefix: true }).cookieName).toBe('__Host-app');
    expect(() => resolveSessionConfig({ cookieName: '__Host-app', secure: false })).toThrow(/hostPrefix/);
    expect(() => resolveSessionConfig({ cookieName: '__Secure-app' })).toThrow(/not a valid cookie name/);
  });

  it('refuses what would make a broken or weaker cookie', () => {
    expect(() => resolveSessionConfig({ domain: 'bad domain' })).toThrow(/not a host name/);
    expect(() => resolveSessionConfig({ absoluteTimeoutMs: 1.5 })).toThrow(/absoluteTimeoutMs must be a positive integer/);
    expect(() => resolveSessionConfig({ csrfHeader: 'X CSRF' })).toThrow(/not a header name/);
    expect(() => resolveSessionConfig({ csrfField: '' })).toThrow(/csrfField/);
    expect(() => resolveSessionConfig(null as never)).toThrow(/session must be an object/);
  });
});

describe('parseSessionRecord', () => {
  const valid = {
    uid: 'u1',
    roles: ['a'],
    permissions: [],
    scopes: [],
    amr: ['pwd'],
    csrf: 't',
    createdAt: 1,
    seenAt: 1,
    epoch: 'e',
  };

  it('reads a stored record', () => {
    expect(parseSessionRecord(JSON.stringify(valid))).toEqual(valid);
  });

  it('answers null for anything malformed', () => {
    for (const raw of ['', 'null', '[]', '{', JSON.stringify({ ...valid, roles: 'admin' }), JSON.stringify({ ...valid, createdAt: 'x' }), JSON.stringify({ ...valid, uid: 1 })]) {
      expect(parseSessionRecord(raw)).toBeNull();
    }
  });
});
