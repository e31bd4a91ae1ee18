import { readCookie, readQuery } from './auth-request.js';
import { getPrincipal, setPrincipal } from './request-state.js';
import type { Principal } from '../principal/principal.js';
import { handshakeRequest, socketRequest } from './handshake-request.js';

const principal: Principal = { id: 'u-1', roles: [], scopes: [], permissions: [], strategy: 'jwt' };

describe('handshakeRequest', () => {
  it('keeps the handshake headers, query, address and url as they are', () => {
    const headers = { authorization: 'Bearer abc', cookie: 'sid=1' };
    const request = handshakeRequest({
      headers,
      query: { room: 'r1' },
      address: '203.0.113.7',
      url: '/socket.io/?EIO=4',
    });
    expect(request.headers).toBe(headers);
    expect(readQuery(request, 'room')).toBe('r1');
    expect(readCookie(request, 'sid')).toBe('1');
    expect(request).toMatchObject({
      method: 'GET',
      ip: '203.0.113.7',
      url: '/socket.io/?EIO=4',
      user: undefined,
    });
  });

  it('turns the socket.io auth token, then the access_token query parameter, into a bearer header', () => {
    expect(handshakeRequest({ headers: {}, auth: { token: 'abc' } }).headers.authorization).toBe(
      'Bearer abc',
    );
    expect(handshakeRequest({ headers: {}, auth: { token: 'Bearer abc' } }).headers.authorization).toBe(
      'Bearer abc',
    );
    expect(handshakeRequest({ headers: {}, query: { access_token: 'q' } }).headers.authorization).toBe(
      'Bearer q',
    );
    expect(
      handshakeRequest({ headers: {}, auth: { authorization: 'Basic eDp5', token: 't' } }).headers
        .authorization,
    ).toBe('Basic eDp5');
    expect(
      handshakeRequest({ headers: {}, auth: { token: 'a' }, query: { access_token: 'q' } }).headers
        .authorization,
    ).toBe('Bearer a');
  });

  it('lets the Authorization header win over the auth payload and the query', () => {
    const request = handshakeRequest({
      headers: { authorization: 'Basic eDp5' },
      auth: { token: 'a' },
      query: { access_token: 'q' },
    });
    expect(request.headers.authorization).toBe('Basic eDp5');
  });

  it('ignores empty, repeated or non-string tokens (no credentials rather than a guess)', () => {
    for (const handshake of [
      { auth: { token: '' } },
      { auth: { token: '   ' } },
      { auth: { token: 42 } },
      { auth: { token: ['a'] } },
      { query: { access_token: ['a', 'b'] } },
      { query: { access_token: '' } },
      {},
    ]) {
      expect(handshakeRequest(handshake).headers.authorization).toBeUndefined();
    }
  });

  it('does not modify the handshake it reads', () => {
    const headers = { host: 'x' };
    handshakeRequest({ headers, auth: { token: 'abc' } });
    expect(headers).toEqual({ host: 'x' });
  });
});

describe('socketRequest', () => {
  const socket = () => ({ handshake: { headers: {}, auth: { token: 't' } } });

  it('builds the handshake view once per socket', () => {
    const client = socket();
    expect(socketRequest(client)).toBe(socketRequest(client));
    expect(socketRequest(client)).not.toBe(socketRequest(socket()));
  });

  it('gives each object payload its own view, reading the socket view and holding its own state', () => {
    const client = socket();
    const base = socketRequest(client);
    const first = { roomId: 'r1' };
    const second = { roomId: 'r2' };
    const handler = () => undefined;
    const a = socketRequest(client, first, handler);
    const b = socketRequest(client, second, handler);
    expect(socketRequest(client, first, handler)).toBe(a);
    expect(a).not.toBe(b);
    expect((a as { params?: unknown }).params).toBe(first);
    expect(a.headers.authorization).toBe('Bearer t');
    setPrincipal(a, principal, principal);
    expect(getPrincipal(a)).toBe(principal);
    expect(getPrincipal(b)).toBeUndefined();
    expect(base.user).toBeUndefined();
  });

  it('gives messages without an object payload a view per handler, never inheriting the socket view\'s caller', () => {
    const client = socket();
    const guarded = () => undefined;
    const open = () => undefined;
    const base = socketRequest(client);
    setPrincipal(base, principal, principal); // the connection check's caller
    const a = socketRequest(client, 'r1', guarded);
    expect(socketRequest(client, undefined, guarded)).toBe(a);
    expect(a).not.toBe(base);
    expect(getPrincipal(a)).toBeUndefined();
    setPrincipal(a, principal, principal);
    expect(getPrincipal(socketRequest(client, undefined, open))).toBeUndefined();
    expect(socketRequest(client, { any: 1 }, open).user).toBeUndefined();
  });

  it('explains that clients without a handshake (not socket.io) are not supported', () => {
    expect(() => socketRequest({ send() {} })).toThrow(/no handshake.*@nestjs\/platform-socket\.io/);
    expect(() => socketRequest(undefined)).toThrow(TypeError);
  });
});
