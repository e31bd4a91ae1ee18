import { isScopeToken, narrowScopes, parseScope } from './scopes.js';

describe('scopes', () => {
  it('parses space-separated scopes, dropping repeats and empty parts', () => {
    expect(parseScope('items:read items:write')).toEqual(['items:read', 'items:write']);
    expect(parseScope('  a  a b ')).toEqual(['a', 'b']);
    expect(parseScope('')).toEqual([]);
  });

  it('refuses characters RFC 6749 §3.3 does not allow in a scope token', () => {
    expect(parseScope('a"b')).toBeUndefined();
    expect(parseScope('a\\b')).toBeUndefined();
    expect(parseScope('caf\u00e9')).toBeUndefined();
    expect(parseScope('a\tb')).toBeUndefined();
    expect(isScopeToken('items:read')).toBe(true);
    expect(isScopeToken('')).toBe(false);
  });

  it('narrows by every limit that is set', () => {
    expect(narrowScopes(['a', 'b', 'c'], new Set(['a', 'b']), undefined, new Set(['b', 'c']))).toEqual(['b']);
    expect(narrowScopes(['a', 'a'])).toEqual(['a']);
  });
});
