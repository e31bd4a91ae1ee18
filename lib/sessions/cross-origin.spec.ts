import type { AuthRequest } from '../request/auth-request.js';
import { isCrossOrigin, isSafeMethod } from './cross-origin.js';
import { normalizeOrigin } from './session-settings.js';

const request = (headers: Record<string, string>): AuthRequest => ({ headers: { host: 'app.example:3000', ...headers }, method: 'POST' });
const none = new Set<string>();

describe('isCrossOrigin (Go CrossOriginProtection algorithm)', () => {
  it('trusts Sec-Fetch-Site same-origin and none, refuses same-site and cross-site', () => {
    expect(isCrossOrigin(request({ 'sec-fetch-site': 'same-origin' }), none)).toBe(false);
    expect(isCrossOrigin(request({ 'sec-fetch-site': 'none' }), none)).toBe(false);
    expect(isCrossOrigin(request({ 'sec-fetch-site': 'same-site' }), none)).toBe(true);
    expect(isCrossOrigin(request({ 'sec-fetch-site': 'cross-site' }), none)).toBe(true);
    expect(isCrossOrigin(request({ 'sec-fetch-site': 'bogus' }), none)).toBe(true);
  });

  it('prefers Sec-Fetch-Site over a matching Origin', () => {
    expect(isCrossOrigin(request({ 'sec-fetch-site': 'cross-site', origin: 'http://app.example:3000' }), none)).toBe(true);
  });

  it('lets non-browser clients (no Origin, no Sec-Fetch-Site) through', () => {
    expect(isCrossOrigin(request({}), none)).toBe(false);
  });

  it('compares Origin with Host, ignoring case and the default port', () => {
    expect(isCrossOrigin(request({ origin: 'http://app.example:3000' }), none)).toBe(false);
    expect(isCrossOrigin(request({ origin: 'http://APP.example:3000' }), none)).toBe(false);
    expect(isCrossOrigin({ headers: { host: 'app.example:443', origin: 'https://app.example' } }, none)).toBe(false);
    expect(isCrossOrigin({ headers: { host: 'app.example', origin: 'https://app.example' } }, none)).toBe(false);
    expect(isCrossOrigin(request({ origin: 'http://evil.example' }), none)).toBe(true);
    expect(isCrossOrigin(request({ origin: 'http://app.example:3001' }), none)).toBe(true);
    expect(isCrossOrigin(request({ origin: 'null' }), none)).toBe(true);
    expect(isCrossOrigin(request({ origin: 'not a url' }), none)).toBe(true);
    expect(isCrossOrigin({ headers: { origin: 'http://app.example' } }, none)).toBe(true);
  });

  it('exempts trusted origins', () => {
    const trusted = new Set([normalizeOrigin('https://Front.example:443')]);
    expect(trusted.has('https://front.example')).toBe(true);
    expect(isCrossOrigin(request({ origin: 'https://front.example', 'sec-fetch-site': 'same-site' }), trusted)).toBe(false);
    expect(isCrossOrigin(request({ origin: 'https://other.example', 'sec-fetch-site': 'same-site' }), trusted)).toBe(true);
  });

  it('rejects trusted origins that are not origins', () => {
    for (const bad of ['https://a.example/', 'https://*.example', 'a.example', 'https://u:p@a.example', '']) {
      expect(() => normalizeOrigin(bad)).toThrow(/trustedOrigins/);
    }
  });

  it('knows the safe methods', () => {
    expect(['GET', 'HEAD', 'OPTIONS'].every(isSafeMethod)).toBe(true);
    expect(['POST', 'PUT', 'PATCH', 'DELETE', 'get', undefined].some(isSafeMethod)).toBe(false);
  });
});
