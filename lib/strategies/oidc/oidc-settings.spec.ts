import { AuthConfigurationError } from '../../errors/configuration.error.js';
import type { OidcStrategyOptions } from './oidc.options.js';
import { compileOidcConfig } from './oidc-settings.js';

const ISSUER = 'https://sso.example.com/realms/acme';
const compile = (options: Partial<OidcStrategyOptions>) => compileOidcConfig({ issuer: ISSUER, audience: 'api://orders', ...options });

describe('compileOidcConfig', () => {
  it('derives the discovery URL from the issuer (Discovery §4.1, trailing slash removed)', () => {
    expect(compile({}).discoveryUrl.href).toBe(`${ISSUER}/.well-known/openid-configuration`);
    expect(compile({ issuer: `${ISSUER}/` }).discoveryUrl.href).toBe(`${ISSUER}/.well-known/openid-configuration`);
    expect(compile({ issuer: `${ISSUER}/` }).jwt.issuer).toBe(`${ISSUER}/`); // iss is compared exactly as configured
  });

  it('defaults to access tokens: RFC 9068 typ, asymmetric algorithms only, 30 s between discovery attempts', () => {
    const settings = compile({});
    expect(settings.tokenType).toBe('access_token');
    expect(settings.jwt.typ).toBe('at+jwt');
    expect(settings.jwt.audience).toEqual(['api://orders']);
    expect(settings.jwt.algorithms).not.toContain('HS256');
    expect(settings.jwt.algorithms).toEqual(expect.arrayContaining(['RS256', 'PS256', 'ES256', 'EdDSA']));
    expect(settings.retryMs).toBe(30_000);
    expect(settings.timeoutMs).toBe(5_000);
  });

  it('checks ID tokens against the client id and requires iat', () => {
    const settings = compile({ tokenType: 'id_token', clientId: 'spa', audience: undefined });
    expect(settings.jwt.audience).toBe('spa');
    expect(settings.jwt.typ).toBe(false);
    expect(settings.jwt.requiredClaims).toContain('iat');
  });

  it('keycloak preset: realm roles, client roles of clientId (or clientRoles), typ claim instead of typ header', () => {
    const settings = compile({ preset: 'keycloak', clientId: 'orders-api' });
    expect(settings.jwt.claims).toMatchObject({ roles: ['realm_access.roles'], username: ['preferred_username'] });
    expect(settings.clientRoles).toEqual(['orders-api']);
    expect(settings.payloadTyp).toBe('Bearer');
    expect(settings.jwt.typ).toBe(false);
    expect(compile({ preset: 'keycloak', clientId: 'spa', clientRoles: ['orders-api', 'billing'] }).clientRoles).toEqual(['orders-api', 'billing']);
    expect(compile({ preset: 'keycloak', tokenType: 'id_token', clientId: 'spa' }).payloadTyp).toBe('ID');
  });

  it('explicit claim paths override the preset; other presets read no client roles', () => {
    const settings = compile({ preset: 'entra', claims: { roles: 'groups' } });
    expect(settings.jwt.claims).toMatchObject({ roles: 'groups', scopes: ['scp'] });
    expect(settings.clientRoles).toEqual([]);
    expect(compile({ clientId: 'x' }).clientRoles).toEqual([]);
  });

  it.each([
    ['an issuer that is not a URL', { issuer: 'sso.example.com' }, /oidc\.issuer "sso\.example\.com" is not a URL/],
    ['a plain-http issuer', { issuer: 'http://sso.example.com' }, /is not https/],
    ['an issuer with a query', { issuer: `${ISSUER}?tenant=1` }, /has a query, fragment or credentials/],
    ['no audience', { audience: undefined }, /oidc has no `audience`/],
    ['authorized parties without an audience (RFC 9068 §4)', { audience: undefined, authorizedParties: ['web'] }, /`authorizedParties` but no `audience`/],
    ['ID tokens without a client id', { tokenType: 'id_token' as const }, /"id_token" but oidc\.clientId is not set/],
    ['an HMAC algorithm', { algorithms: ['HS256' as const] }, /oidc\.algorithms contains "HS256"/],
    ['no algorithms', { algorithms: [] }, /oidc\.algorithms is empty/],
    ['an unknown preset', { preset: 'okta' as never }, /oidc\.preset "okta" is unknown/],
    ['an unknown token type', { tokenType: 'refresh_token' as never }, /oidc\.tokenType "refresh_token" is unknown/],
    ['a zero retry interval', { discovery: { retryMs: 0 } }, /oidc\.discovery\.retryMs must be a positive number/],
  ])('refuses %s at boot', (_label, options, message) => {
    expect(() => compile(options)).toThrow(AuthConfigurationError);
    expect(() => compile(options)).toThrow(message);
  });

  it('allows plain http on loopback only (development and tests)', () => {
    for (const issuer of ['http://localhost:8080', 'http://127.0.0.1:9000/realms/dev', 'http://[::1]:8080']) {
      expect(compile({ issuer }).discoveryUrl.protocol).toBe('http:');
    }
  });
});
