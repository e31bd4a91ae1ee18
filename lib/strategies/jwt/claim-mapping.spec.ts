import { compileClaimMapping, readString, readStringList } from './claim-mapping.js';

describe('claim mapping', () => {
  it('reads the OAuth2 scope string and the scp array by default', () => {
    const mapping = compileClaimMapping();
    expect(readStringList({ scope: 'a b  c' }, mapping.scopes)).toEqual(['a', 'b', 'c']);
    expect(readStringList({ scp: ['a', 'b'] }, mapping.scopes)).toEqual(['a', 'b']);
    expect(readStringList({ scope: 'a', scp: ['a', 'b'] }, mapping.scopes)).toEqual(['a', 'b']);
  });

  it('follows Keycloak-style dot paths', () => {
    const mapping = compileClaimMapping({ roles: ['realm_access.roles', 'resource_access.api.roles'] });
    const claims = { realm_access: { roles: ['admin'] }, resource_access: { api: { roles: ['editor'] } } };
    expect(readStringList(claims, mapping.roles)).toEqual(['admin', 'editor']);
  });

  it('ignores non-string values and inherited properties instead of coercing them', () => {
    const mapping = compileClaimMapping({ roles: 'roles' });
    expect(readStringList({ roles: ['a', 1, null, { x: 1 }, ''] }, mapping.roles)).toEqual(['a']);
    expect(readStringList({ roles: 42 }, mapping.roles)).toEqual([]);
    expect(readStringList({}, compileClaimMapping({ roles: 'constructor.name' }).roles)).toEqual([]);
    expect(readStringList({}, compileClaimMapping({ roles: '__proto__' }).roles)).toEqual([]);
  });

  it('reads the first string username', () => {
    const mapping = compileClaimMapping();
    expect(readString({ username: 'bob' }, mapping.username)).toBe('bob');
    expect(readString({ preferred_username: 'alice', username: 'x' }, mapping.username)).toBe('alice');
    expect(readString({ preferred_username: 7 }, mapping.username)).toBeUndefined();
  });
});
