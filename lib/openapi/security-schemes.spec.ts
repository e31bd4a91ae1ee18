import { AuthConfigurationError } from '../errors/configuration.error.js';
import { AuthStrategy, type SecuritySchemeDescription } from '../strategies/auth-strategy.js';
import { describeSecuritySchemes } from './security-schemes.js';

class Described extends AuthStrategy {
  constructor(
    readonly name: string,
    private readonly scheme: SecuritySchemeDescription | null,
    private readonly schemeName?: string,
  ) {
    super();
  }
  authenticate() {
    return null;
  }
  override securityScheme() {
    return this.scheme;
  }
  override get securitySchemeName() {
    return this.schemeName ?? this.name;
  }
}

const header = (name: string): SecuritySchemeDescription => ({ type: 'apiKey', in: 'header', name });

describe('describeSecuritySchemes', () => {
  it('lists strategies that describe themselves, copied so the document can be edited safely', () => {
    const flows = { clientCredentials: { tokenUrl: 'https://idp.test/token', scopes: {} } };
    const partner = new Described('partner', { type: 'oauth2', flows });
    const { components, byStrategy } = describeSecuritySchemes([partner, new Described('device', null)], undefined, []);
    expect(components).toEqual({ partner: { type: 'oauth2', flows } });
    expect(components.partner.flows).not.toBe(flows);
    expect([...byStrategy.keys()]).toEqual(['partner']);
  });

  it('lets two strategies share one scheme name when they describe the same scheme', () => {
    const { components, byStrategy } = describeSecuritySchemes(
      [new Described('a', header('X-Key'), 'key'), new Described('b', header('X-Key'), 'key')],
      undefined,
      [],
    );
    expect(Object.keys(components)).toEqual(['key']);
    expect(byStrategy.get('b')).toEqual([{ name: 'key', carriesScopes: false }]);
  });

  it('refuses two different schemes under one name, and names OpenAPI cannot hold', () => {
    expect(() =>
      describeSecuritySchemes([new Described('a', header('X-A'), 'key'), new Described('b', header('X-B'), 'key')], undefined, []),
    ).toThrow(/strategies "a" and "b" describe different OpenAPI security schemes under one name "key".*securitySchemeName/);
    expect(() => describeSecuritySchemes([new Described('a', header('X-A'), 'my key')], undefined, [])).toThrow(
      AuthConfigurationError,
    );
    expect(() => describeSecuritySchemes([], { tokenUrl: '/t', schemeName: 'o/2', strategies: [] }, [])).toThrow(
      /oauth2\.schemeName is "o\/2", which is not a valid OpenAPI component name/,
    );
  });

  it('builds the password flow from the options, adding scopes routes demand', () => {
    const jwt = new Described('jwt', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    const { components, byStrategy } = describeSecuritySchemes(
      [jwt],
      { tokenUrl: '/auth/token', scopes: { 'items:read': 'Read items' }, description: 'Sign in' },
      ['items:read', 'items:write'],
    );
    expect(components.oauth2).toEqual({
      type: 'oauth2',
      description: 'Sign in',
      flows: { password: { tokenUrl: '/auth/token', scopes: { 'items:read': 'Read items', 'items:write': '' } } },
    });
    expect(byStrategy.get('jwt')).toEqual([
      { name: 'jwt', carriesScopes: false },
      { name: 'oauth2', carriesScopes: true },
    ]);
  });

  it('refuses malformed OAuth2 options with the fix in the message', () => {
    const jwt = new Described('jwt', { type: 'http', scheme: 'bearer' });
    expect(() => describeSecuritySchemes([jwt], { tokenUrl: '/t', refreshUrl: ' ' }, [])).toThrow(/oauth2\.refreshUrl is empty/);
    expect(() => describeSecuritySchemes([jwt], { tokenUrl: '/t', strategies: [] }, [])).toThrow(/oauth2\.strategies is empty/);
    expect(() => describeSecuritySchemes([jwt], { tokenUrl: '/t', scopes: { a: 1 as never } }, [])).toThrow(
      /oauth2\.scopes\["a"\] is not a string/,
    );
    expect(() => describeSecuritySchemes([], { tokenUrl: '/t' }, [])).toThrow(/"jwt", which is not configured.*configured: none/);
  });
});
