import type { AuthRequest } from '../request/auth-request.js';
import { ForwardedRequestReader } from './forwarded-request.js';

function request(peer: string, headers: Record<string, string> = {}, encrypted = false): AuthRequest {
  return { headers, socket: { remoteAddress: peer, encrypted } } as unknown as AuthRequest;
}

describe('ForwardedRequestReader', () => {
  it('never believes X-Forwarded-* by default', () => {
    const reader = new ForwardedRequestReader(false);
    const origin = reader.origin(request('203.0.113.7', { 'x-forwarded-for': '10.0.0.1', 'x-forwarded-proto': 'https' }));
    expect(origin).toEqual({ peer: '203.0.113.7', client: '203.0.113.7', peerTrusted: false, secure: false });
  });

  it('reads the peer of a Fastify request through raw.socket too', () => {
    const reader = new ForwardedRequestReader(undefined);
    const fastifyLike = { headers: {}, raw: { socket: { remoteAddress: '::1', encrypted: true } } } as unknown as AuthRequest;
    expect(reader.origin(fastifyLike)).toMatchObject({ client: '::1', secure: true });
  });

  describe('with a list of trusted proxies', () => {
    const reader = new ForwardedRequestReader(['10.0.0.0/8', 'loopback']);

    it('takes the right-most address that is not a trusted proxy', () => {
      const forwarded = request('127.0.0.1', { 'x-forwarded-for': '198.51.100.9, 203.0.113.5, 10.1.1.1' });
      expect(reader.clientAddress(forwarded)).toBe('203.0.113.5');
    });

    it('ignores what a client prepends to X-Forwarded-For (spoofing)', () => {
      const spoofed = request('127.0.0.1', { 'x-forwarded-for': '10.9.9.9, 203.0.113.5' });
      expect(reader.clientAddress(spoofed)).toBe('203.0.113.5');
    });

    it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
      expect(reader.clientAddress(request('203.0.113.5', { 'x-forwarded-for': '10.1.1.1' }))).toBe('203.0.113.5');
    });

    it('uses the left-most address when every hop is a trusted proxy', () => {
      expect(reader.clientAddress(request('127.0.0.1', { 'x-forwarded-for': '10.2.2.2, 10.1.1.1' }))).toBe('10.2.2.2');
    });

    it('strips ports and brackets that some proxies add', () => {
      expect(reader.clientAddress(request('127.0.0.1', { 'x-forwarded-for': '203.0.113.5:5123' }))).toBe('203.0.113.5');
      expect(reader.clientAddress(request('127.0.0.1', { 'x-forwarded-for': '[2001:db8::7]:443' }))).toBe('2001:db8::7');
    });

    it('stops at an unparseable entry and reports it as the client (it matches no allowlist)', () => {
      expect(reader.clientAddress(request('127.0.0.1', { 'x-forwarded-for': '10.1.1.1, not-an-ip' }))).toBe('not-an-ip');
    });

    it('believes the right-most X-Forwarded-Proto of a trusted peer only', () => {
      expect(reader.origin(request('127.0.0.1', { 'x-forwarded-proto': 'https' })).secure).toBe(true);
      expect(reader.origin(request('127.0.0.1', { 'x-forwarded-proto': 'https, http' })).secure).toBe(false);
      expect(reader.origin(request('127.0.0.1', { 'x-forwarded-proto': 'http, HTTPS' })).secure).toBe(true);
      expect(reader.origin(request('203.0.113.5', { 'x-forwarded-proto': 'https' })).secure).toBe(false);
      expect(reader.origin(request('203.0.113.5', {}, true)).secure).toBe(true);
    });
  });

  describe('with a hop count', () => {
    it('counts the socket peer as the first hop', () => {
      const one = new ForwardedRequestReader(1);
      const two = new ForwardedRequestReader(2);
      const forwarded = request('10.0.0.2', { 'x-forwarded-for': '198.51.100.1, 203.0.113.5, 10.0.0.1' });
      expect(one.clientAddress(forwarded)).toBe('10.0.0.1');
      expect(two.clientAddress(forwarded)).toBe('203.0.113.5');
    });

    it('stops at the left-most address when there are fewer hops than trusted', () => {
      const three = new ForwardedRequestReader(3);
      expect(three.clientAddress(request('10.0.0.2', { 'x-forwarded-for': '203.0.113.5' }))).toBe('203.0.113.5');
      expect(three.clientAddress(request('10.0.0.2'))).toBe('10.0.0.2');
    });
  });
});
