import { parseWwwAuthenticate } from './www-authenticate.js';

describe('parseWwwAuthenticate', () => {
  it('parses a bare challenge with a realm', () => {
    expect(parseWwwAuthenticate('Bearer realm="api"')).toEqual([{ scheme: 'Bearer', params: { realm: 'api' } }]);
  });

  it('parses several challenges in one value and across values', () => {
    expect(parseWwwAuthenticate('Bearer realm="a", error="invalid_token", Basic realm="b", charset="UTF-8"')).toEqual([
      { scheme: 'Bearer', params: { realm: 'a', error: 'invalid_token' } },
      { scheme: 'Basic', params: { realm: 'b', charset: 'UTF-8' } },
    ]);
    expect(parseWwwAuthenticate(['Bearer realm="a"', 'ApiKey realm="a", name="X-API-Key"'])).toHaveLength(2);
  });

  it('unescapes quoted-strings, accepts token values and lower-cases param names', () => {
    expect(parseWwwAuthenticate('Custom Realm="a \\"b\\"", x=tok')).toEqual([{ scheme: 'Custom', params: { realm: 'a "b"', x: 'tok' } }]);
  });

  it('parses token68 challenges and bare schemes', () => {
    expect(parseWwwAuthenticate('Negotiate abc==, Bearer')).toEqual([
      { scheme: 'Negotiate', params: {}, token68: 'abc==' },
      { scheme: 'Bearer', params: {} },
    ]);
  });

  it('rejects malformed input instead of guessing', () => {
    expect(() => parseWwwAuthenticate('Bearer realm="open')).toThrow(SyntaxError);
    expect(() => parseWwwAuthenticate('"Bearer"')).toThrow(SyntaxError);
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
  });
});
